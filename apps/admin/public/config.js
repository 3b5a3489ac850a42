// Runtime settings of the Babble Buddy admin app. Edit this file on the server that hosts dist/;
// no rebuild needed. apiUrl: the gateway's base URL, e.g. "https://chat.example.com", or "" when
// the gateway itself serves this app (at /admin/), so the API is on the same origin.
window.BABBLE_BUDDY_ADMIN = {
  apiUrl: '',
};
