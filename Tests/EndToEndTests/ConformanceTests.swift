import Foundation
import Testing

/// The shared conformance corpus (other projects' CSV cases with their published records),
/// read by `inspect --raw` as a user would: every record as parsed. It sits beside the
/// project in `../shared/conformance`; a clone without it skips these tests, saying so.
@Suite struct ConformanceTests {
    static let directory: URL? = {
        let candidate = Tool.packageRoot.deletingLastPathComponent().appendingPathComponent(
            "shared/conformance")
        return FileManager.default.fileExists(
            atPath: candidate.appendingPathComponent("manifest.json").path) ? candidate : nil
    }()

    struct Case: Decodable {
        let name: String
        let input: String
        let expected: String
        let delimiter: String
        let encoding: String
        let error_allowed: Bool
    }

    struct Manifest: Decodable {
        let csv: [Case]
    }

    @Test func inspectRawGivesThePublishedRecordsOfEveryCSVCase() throws {
        guard let directory = Self.directory else {
            try NeededTool.skip("the CSV conformance corpus, ../shared/conformance, is absent")
        }
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        )
        let tool = try Tool()
        var matched = 0
        for testCase in manifest.csv {
            let expected = try JSONDecoder().decode(
                [[String]].self,
                from: Data(contentsOf: directory.appendingPathComponent(testCase.expected))
            ).filter { !$0.allSatisfy(\.isEmpty) }  // records of empty fields may be skipped
            var arguments = [
                "inspect", directory.appendingPathComponent(testCase.input).path, "--raw",
                "--format", "csv", "--delimiter",
                testCase.delimiter == "\\t" ? "tab" : testCase.delimiter,
            ]
            if testCase.encoding.lowercased().contains("1252") {
                arguments += ["--encoding", "windows-1252"]
            }
            let result = try tool.run(arguments)
            if result.status != 0 && testCase.error_allowed {
                matched += 1
                continue
            }
            let records = try result.stdout.split(separator: "\n").map {
                try JSONDecoder().decode([String].self, from: Data($0.utf8))
            }
            #expect(result.status == 0, "\(testCase.name): \(result.stderr)")
            #expect(records == expected, "\(testCase.name)")
            if records == expected { matched += 1 }
        }
        print(
            "CSV conformance through inspect --raw: \(matched) of \(manifest.csv.count) cases match"
        )
        #expect(matched == manifest.csv.count)
    }
}
