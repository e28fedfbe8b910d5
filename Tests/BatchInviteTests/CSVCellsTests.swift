import Testing

@testable import BatchInvite

@Suite struct CSVCellsTests {
    private func written(_ body: (inout UnsafeMutableRawPointer) -> Void) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { raw in
            var cursor = raw.baseAddress!
            body(&cursor)
            return raw.baseAddress!.distance(to: cursor)
        }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    @Test func integersOfEveryLength() {
        var values = [0, 7, 9, 10, 99, 100, 101, 999, 1000, 65_535, Int.max, Int.min, -1, -10]
        var power = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1]
        }
        for value in values {
            #expect(written { CSVCells.putInteger(value, at: &$0) } == String(value))
        }
        // The digit count beside each power of two and of ten, up to the largest UInt.
        var unsigned: [UInt] = [
            0, UInt.max, 10_000_000_000_000_000_000 - 1, 10_000_000_000_000_000_000,
        ]
        for shift in 0..<UInt.bitWidth {
            unsigned += [(1 << shift) - 1, 1 << shift, (1 << shift) + 1]
        }
        var ten: UInt = 1
        for _ in 0..<19 {
            ten *= 10
            unsigned += [ten - 1, ten, ten + 1]
        }
        for value in unsigned {
            #expect(CSVCells.decimalDigits(value) == String(value).count, "\(value)")
        }
    }

    @Test func cellsAreQuotedOrNeutralisedOnlyWhenNeeded() {
        func cell(_ text: String) -> String { written { CSVCells.putCell(text, at: &$0) } }
        #expect(cell("ada@example.com") == "ada@example.com")
        #expect(
            cell("a much longer cell of plain text, with a comma")
                == "\"a much longer cell of plain text, with a comma\"")
        #expect(cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(cell("two\nlines") == "\"two\nlines\"")
        #expect(cell("tab\tinside") == "tab\tinside")
        #expect(cell("=SUM(A1)") == "'=SUM(A1)")
        #expect(cell("-1,2") == "\"'-1,2\"")
        #expect(cell("") == "")
    }

    /// Cells are searched eight bytes at a time, the last word overlapping: a comma, quote,
    /// CR or LF at every place of cells of 1 to 20 bytes makes the cell quoted.
    @Test func aCharacterNeedingQuotesIsFoundAtEveryPlace() {
        func cell(_ text: String) -> String { written { CSVCells.putCell(text, at: &$0) } }
        for length in 1...20 {
            let plain = String(repeating: "a", count: length)
            #expect(cell(plain) == plain)
            for place in 0..<length {
                for mark in [",", "\"", "\r", "\n"] {
                    var text = Array(plain)
                    text[place] = Character(mark)
                    let value = String(text)
                    let escaped = value.replacingOccurrences(of: "\"", with: "\"\"")
                    // A line break first is also neutralised, as a formula would be.
                    let prefix = place == 0 && (mark == "\r" || mark == "\n") ? "'" : ""
                    #expect(
                        cell(value) == "\"" + prefix + escaped + "\"", "\(length) \(place) \(mark)")
                }
            }
        }
    }
}
