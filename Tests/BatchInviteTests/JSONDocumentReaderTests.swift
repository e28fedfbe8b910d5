import BatchInvite
import Testing

/// The elements a `JSONDocumentReader` hands on, parsed, with their lines; or the error.
private func elements(
    _ text: String, arrayPath: String? = nil, chunkSize: Int = TextInput.chunkSize
) throws -> (elements: [(Int, JSONValue?)], path: [String]?, notes: [String], error: String?) {
    let scratch = try ScratchDirectory()
    let path = try scratch.file("people.json", text)
    let open = { try TextInput(path: path, encoding: .utf8, skipLines: 0, chunkSize: chunkSize) }
    let reader = JSONDocumentReader(input: try open(), arrayPath: arrayPath, reopen: open)
    var notes: [String] = []
    reader.onNote = { notes.append($0) }
    var found: [(Int, JSONValue?)] = []
    do {
        try reader.forEachElement { line, bytes in
            found.append((line, bytes.flatMap { try? JSONParser.parse($0) }))
        }
    } catch {
        return (found, reader.arrayPath, notes, "\(error)")
    }
    return (found, reader.arrayPath, notes, nil)
}

@Suite struct JSONDocumentReaderTests {
    /// A realm export's shape: members before and after the array, nesting, strings holding
    /// brackets, quotes and escapes, an element over several lines.
    static let realm = """
        {
          "realm": "x\\"]}",
          "roles": {"realm": [{"name": "user"}], "client": {}},
          "requiredCredentials": ["password", "otp"],
          "count": -1.5e3, "enabled": true, "note": null,
          "users": [
            {"username": "a", "email": "a@x.io", "groups": ["[", "{"], "attributes": {"k": ["v"]}},
            {
              "username": "b\\\\",
              "email": "b@x.io",
              "name": "\\u00e9\\ud83d\\ude00 {]"
            },
            {}, "plain", 5, [1, [2]]
          ],
          "clients": [{"clientId": "c"}]
        }

        """

    @Test func elementsAndTheirLinesAreTheSameWhateverTheChunkSize() throws {
        let document = try Array(Self.realm.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        let expected = try #require(document["users"]?.elements)
        for size in [4, 5, 6, 7, 9, 13, 64, 1000, TextInput.chunkSize] {
            let read = try elements(Self.realm, chunkSize: size)
            #expect(read.error == nil, "chunk size \(size)")
            #expect(read.elements.map(\.1) == expected, "chunk size \(size)")
            #expect(read.elements.map(\.0) == [7, 8, 13, 13, 13, 13], "chunk size \(size)")
            #expect(read.path == ["users"])
        }
    }

    @Test func anArrayNamedForPeopleIsReadWithANote() throws {
        let read = try elements(Self.realm)
        #expect(read.notes.count == 1)
        #expect(
            read.notes.first?.hasSuffix(
                "people.json is one JSON object: reading the people in its member \"users\" "
                    + "(--json-array reads another)") == true)
    }

    @Test func aGivenPathReadsAMemberOfAMember() throws {
        let read = try elements(
            "{\"data\": {\"users\": [{\"a\": 1}], \"more\": [{\"b\": 2}]}, \"users\": []}",
            arrayPath: "data.users")
        #expect(read.error == nil)
        #expect(read.elements.map(\.1) == [.object([JSONMember(key: "a", value: .number("1"))])])
        #expect(read.path == ["data", "users"])
        #expect(read.notes.isEmpty)
    }

    @Test func theDocumentAroundTheElementsMustBeJSON() throws {
        let cases: [(String, String)] = [
            (
                "[{\"a\": 1} {\"a\": 2}]",
                "line 1, column 11: expected ',' or ']' after an array element, found '{'"
            ),
            (
                "{\"users\" [{}]}",
                "line 1, column 10: expected ':' after the member name, found '['"
            ),
            (
                "{\"n\": tru, \"users\": []}",
                "line 1, column 7: expected a JSON value, found \"tru\""
            ),
            (
                "[{\"a\": [1}]",
                "line 1, column 10: '}' closes a '[' (of the value that began on line 1)"
            ),
            ("[\n{\"a\": 1},\n{\"a\": \"2}\n]\n", "line 3: a string is never closed"),
            ("{\"users\": [\n{}\n", "the file ends inside the array that began on line 1"),
            ("[]\n[]", "line 2, column 1: unexpected text after the JSON document, found '['"),
        ]
        for (text, message) in cases {
            let read = try elements(text)
            #expect(
                read.error?.contains("people.json: \(message)") == true,
                "\(text): \(read.error ?? "no error")")
        }
    }
}
