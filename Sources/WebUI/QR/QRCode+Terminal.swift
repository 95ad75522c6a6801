extension QRCode {
    /// The symbol as text for a terminal, two modules per character cell using half blocks.
    ///
    /// Scanners want dark modules on a light ground with a light quiet zone around the symbol. On a
    /// colour terminal the function paints both explicitly (black on white), whatever the terminal's
    /// own colours; without colour it draws dark modules as ink, which suits a light background.
    ///
    /// - Parameters:
    ///   - colour: use ANSI colours (pass `true` when writing to a terminal).
    ///   - quietZone: light modules around the symbol; the standard asks for 4.
    /// - Returns: lines separated by newlines, ending with one.
    public func terminalText(colour: Bool, quietZone: Int = 4) -> String {
        let span = -quietZone..<(size + quietZone)
        func dark(_ x: Int, _ y: Int) -> Bool {
            (0..<size).contains(x) && (0..<size).contains(y) && self[x, y]
        }
        var text = ""
        for y in stride(from: span.lowerBound, to: span.upperBound, by: 2) {
            if colour { text += "\u{1B}[30;107m" }
            for x in span {
                let top = dark(x, y)
                let bottom = y + 1 < span.upperBound && dark(x, y + 1)
                switch (top, bottom) {
                case (true, true): text += "█"
                case (true, false): text += "▀"
                case (false, true): text += "▄"
                case (false, false): text += " "
                }
            }
            if colour { text += "\u{1B}[0m" }
            text += "\n"
        }
        return text
    }
}
