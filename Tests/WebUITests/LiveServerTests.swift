import Testing

/// The tests that run a live server, one at a time: each starts its own server and clients, and on
/// two cores several at once would measure the machine rather than the server.
@Suite(.serialized) enum LiveServerTests {}
