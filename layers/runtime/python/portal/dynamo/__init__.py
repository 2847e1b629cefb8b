"""The DynamoDB store: the only package that knows item shapes and boto3's types.

  codec.py       DynamoDB's attribute-value format (the one module that imports boto3's codec)
  calls.py       one wrapper for every call: a lost condition is records.Conflict, any other
                 failure errors.DependencyFailure; transactions with idempotency tokens
  keys.py        every key prefix and key builder of the single table (layout in its docstring)
  accounts.py    accounts with their codes, send logs, failure records and sessions
  catalog.py     the video catalogue
  downloads.py   daily download counters and each account's download history
  newsletter.py  newsletter consent (the `newsletter` map on the account item)
Operator-only queries (list, import, enable/disable) live in ops/accounts.py, not here, so that
no Lambda function ships them.
"""
