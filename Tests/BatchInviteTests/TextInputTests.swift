import Foundation
import Testing

@testable import BatchInvite

@Suite struct EncodingGuessTests {
    func guess(_ bytes: [UInt8], isWhole: Bool = true) -> EncodingGuess {
        bytes.withUnsafeBytes { EncodingGuess.guess($0, isWhole: isWhole) }
    }

    func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        text.utf16.flatMap { unit in
            bigEndian
                ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
    }

    @Test func utf16IsToldByWhereItsZeroBytesAre() {
        let text = "First Name,Last Name,Email\r\nZoë,Ünal,z@x.io\r\n"
        #expect(guess(utf16(text, bigEndian: false)) == .utf16(bigEndian: false))
        #expect(guess(utf16(text, bigEndian: true)) == .utf16(bigEndian: true))
        // UTF-32 has zeros at both: not UTF-16.
        let utf32 = text.unicodeScalars.flatMap {
            withUnsafeBytes(of: $0.value.littleEndian, Array.init)
        }
        #expect(guess(utf32) != .utf16(bigEndian: false))
        #expect(guess(Array("a,b\n".utf8)) == .utf8)
    }

    @Test func windows1252WhenNotUTF8AndEveryHighByteIsAssigned() {
        let latin =
            Array("Vorname\tNachname\nJ".utf8) + [0xFC] + Array("rgen\tM".utf8) + [0xFC]
            + Array("ller\n".utf8)
        #expect(guess(latin) == .windows1252(firstInvalid: 18))
        // 0x81 is unassigned in windows-1252, a NUL is no text's.
        #expect(guess(Array("a,b\n".utf8) + [0x81]) == .unknown(firstInvalid: 4))
        #expect(guess(Array("a,b,c,d\n".utf8) + [0, 0xE9]) == .unknown(firstInvalid: 9))
    }

    @Test func aCharacterCutByTheSampleEndIsNotHeldAgainstIt() {
        let cut = Array("Zo".utf8) + [0xC3]
        #expect(guess(cut, isWhole: false) == .utf8)
        #expect(guess(cut, isWhole: true) == .windows1252(firstInvalid: 2))
    }

    @Test func firstInvalidUTF8FollowsTheUnicodeTable() {
        func first(_ bytes: [UInt8]) -> Int? {
            bytes.withUnsafeBytes { EncodingGuess.firstInvalidUTF8($0, isWhole: true) }
        }
        #expect(first(Array("é€𝄞 ok".utf8)) == nil)
        #expect(first([0x61, 0xC0, 0x80]) == 1)  // overlong
        #expect(first([0xE0, 0x80, 0x80]) == 0)  // overlong
        #expect(first([0xED, 0xA0, 0x80]) == 0)  // a surrogate
        #expect(first([0xF4, 0x90, 0x80, 0x80]) == 0)  // above U+10FFFF
        #expect(first([0x61, 0x62, 0xE9, 0x63]) == 2)
        // Agrees with the standard library on every two-byte sequence.
        for a in 0x80...0xFF {
            for b in [0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0] {
                let bytes = [UInt8(a), UInt8(b)]
                let valid = bytes.withUnsafeBytes { TextBytes.isValidUTF8($0) }
                #expect((first(bytes) == nil) == valid, "\(bytes)")
            }
        }
    }
}

@Suite struct PreambleTests {
    @Test func skipLinesDropsLinesOfEveryEndingWithTheFilesLineNumbersKept() throws {
        let text = "Title\r\nGenerated today\rnote\n\nA,B\r\n1,2\n"
        for chunkSize in [1, 2, 3, 7, 256 * 1024] {
            let result = try readCSV(Array(text.utf8), skipLines: 4, chunkSize: chunkSize)
            #expect(result.records == [["A", "B"], ["1", "2"]], "chunk \(chunkSize)")
            #expect(result.lines == [5, 6], "chunk \(chunkSize)")
        }
    }

    @Test func aCRLFSplitBetweenPiecesCountsOnce() {
        var skipper = PreambleSkipper(lines: 1)
        let first: [UInt8] = Array("x\r".utf8)
        let second: [UInt8] = Array("\nA".utf8)
        let one = first.withUnsafeBytes { Array(skipper.skip($0)) }
        let two = second.withUnsafeBytes { Array(skipper.skip($0)) }
        #expect(one.isEmpty && two == Array("A".utf8))
    }

    @Test func anEntraVersionLineIsSkippedOnlyWhenNotToldOtherwise() throws {
        let text = "version:v1.0,,,\nFirst name [givenName],Last name [surname]\nAda,L\n"
        let auto = try readCSV(Array(text.utf8), skipLines: nil)
        #expect(auto.records.first == ["First name [givenName]", "Last name [surname]"])
        #expect(auto.lines == [2, 3])
        let none = try readCSV(Array(text.utf8), skipLines: 0)
        #expect(none.records.first == ["version:v1.0", "", "", ""])
        // A header that merely starts so is kept.
        let header = try readCSV(Array("version: the first,b\n1,2\n".utf8), skipLines: nil)
        #expect(header.lines == [1, 2])
    }

    @Test func aGuessedEncodingIsNotedAndUsedEvenInSmallPieces() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.file(
            "latin.csv", Array("Name\nJ".utf8) + [0xFC] + Array("rgen\n".utf8))
        for chunkSize in [1, 5, 1024] {
            let input = try TextInput(path: path, encoding: nil, chunkSize: chunkSize)
            #expect(input.encoding == .windows1252 && !input.encodingWasGiven)
            #expect(input.notes.count == 1)
            var text: [UInt8] = []
            try input.forEachChunk { text += $0 }
            #expect(String(decoding: text, as: UTF8.self) == "Name\nJürgen\n")
        }
        let given = try TextInput(path: path, encoding: .utf8)
        #expect(given.encoding == .utf8 && given.encodingWasGiven && given.notes.isEmpty)
    }
}
