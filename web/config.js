// Where the API is. The local runner serves this file as it is: the API is the same origin ("").
// A deployment replaces this file with the deployed API's base URL (no trailing slash), e.g.
//   export default { apiBaseUrl: "https://api.multimedia.example.org" };
// Route paths (/v1/...) are appended to it. See docs/web-client.md.
export default { apiBaseUrl: "" };
