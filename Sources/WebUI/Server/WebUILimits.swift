/// Sizes the server enforces on what clients send.
public enum WebUILimits {
    /// The largest WebSocket frame or message accepted: room for a 224×224 RGB camera frame and its
    /// header (150 552 bytes) with margin, and far below what would hurt. hummingbird-websocket's own
    /// default (16 KiB) is too small for a frame; anything larger than this closes the connection with
    /// 1009 (message too large) before it is buffered.
    public static let maximumMessageSize = 256 * 1024
}
