"""The local runner's shared output keeps each thread's line whole (local/whole_lines.py)."""

from __future__ import annotations

import io
import threading

from local.whole_lines import WholeLines


def in_thread(action) -> None:
    thread = threading.Thread(target=action)
    thread.start()
    thread.join()


def test_a_line_of_another_thread_never_lands_inside_a_line_being_printed():
    raw = io.StringIO()
    out = WholeLines(raw)
    # As print() does: the text, then its newline in a second write; another request's log line
    # between the two.
    out.write('{"_aws": "metrics"}')
    in_thread(lambda: out.write('{"event": "login_failed"}\n'))
    out.write("\n")
    assert raw.getvalue().splitlines() == ['{"event": "login_failed"}', '{"_aws": "metrics"}']


def test_several_lines_in_one_write_go_out_together_and_a_tail_waits_for_its_newline():
    raw = io.StringIO()
    out = WholeLines(raw)
    assert out.write("MAIL to a\nbody\ntail") == len("MAIL to a\nbody\ntail")
    out.flush()
    assert raw.getvalue() == "MAIL to a\nbody\n"
    out.write(" end\n")
    assert raw.getvalue() == "MAIL to a\nbody\ntail end\n"
