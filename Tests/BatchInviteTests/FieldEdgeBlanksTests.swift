import Foundation
import Testing

@testable import BatchInvite

@Suite struct FieldEdgeBlanksTests {
    /// The offsets `FieldEdgeBlanks` reports for `text`.
    private func edgeBlanks(_ text: String, delimiter: UInt8 = UInt8(ascii: ",")) -> [Int] {
        var found: [Int] = []
        Array(text.utf8).withUnsafeBytes { bytes in
            FieldEdgeBlanks.forEach(in: bytes, delimiter: delimiter) { found.append($0) }
        }
        return found
    }

    @Test func blanksInsideFieldsAreNotReported() {
        #expect(edgeBlanks("xa b,c\td\tex") == [])
        #expect(edgeBlanks("x\"a  b\"x") == [])
    }

    @Test func blanksTouchingDelimitersQuotesLineBreaksAndEdgesAreReported() {
        #expect(edgeBlanks("x, a ,b\n c\r\t\" d\"x") == [2, 4, 8, 11, 13])
        #expect(edgeBlanks(" a ") == [0, 2])
        #expect(edgeBlanks("xa   bx") == [])
        #expect(edgeBlanks("x,   ,x") == [2, 4])
    }

    @Test func aBlankThatIsTheDelimiterIsNotABlank() {
        #expect(edgeBlanks("a\tb \t c", delimiter: 9) == [3, 5])
        #expect(edgeBlanks("a b\t c", delimiter: 32) == [3])
    }

    /// The reader gives libcsv its space function for edge blanks only; on any input and
    /// in any piece size that must read exactly as with the function for every byte.
    @Test func readsAsWithTheSpaceFunctionEverywhere() throws {
        let alphabet: [UInt8] = Array("ab ,\t\"\r\n;".utf8)
        var generator = SplitMix(seed: 20_261_124)
        let scratch = try ScratchDirectory()
        var cases = 0
        for index in 0..<1500 {
            // Mostly short inputs, and some long enough to hold more than 16 edge blanks in a
            // piece, where the reader gives libcsv the space function for every byte instead.
            let length = Int(generator.next() % (index % 10 == 0 ? 300 : 24)) + 1
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % 9)] }
            let path = try scratch.file("case\(index).csv", bytes)
            for delimiter in [UInt8(ascii: ","), 9, 32] {
                for chunkSize in [1, 3, 7, 4096] {
                    let fast = try read(path, delimiter: delimiter, chunkSize, everyBlank: false)
                    let slow = try read(path, delimiter: delimiter, chunkSize, everyBlank: true)
                    #expect(
                        fast == slow,
                        "\(String(decoding: bytes, as: UTF8.self).debugDescription) delimiter \(delimiter)"
                    )
                    cases += 1
                }
            }
        }
        #expect(cases == 18_000)
    }

    private func read(_ path: String, delimiter: UInt8, _ chunkSize: Int, everyBlank: Bool) throws
        -> String
    {
        let reader = try CSVReader(
            input: TextInput(path: path, encoding: .utf8, chunkSize: chunkSize),
            delimiter: delimiter, keepsEveryBlank: everyBlank)
        var out = ""
        do {
            try reader.forEachRecord { record in
                out += "\(record.line):\(record.strings.debugDescription)\n"
            }
        } catch let error as BatchInviteError {
            out += "error: \(error)\n"
        }
        return out + "blank: \(reader.blankRecordsSkipped)"
    }
}

/// A small seeded generator, so a failing case comes back on every run.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
