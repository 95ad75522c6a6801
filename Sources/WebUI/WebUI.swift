// WebUI: The Hummingbird web app: page, camera WebSocket, audio stream and state for viewers.
// (Module placeholder: delete this file once the module has real sources.)
