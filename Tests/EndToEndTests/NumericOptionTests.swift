import Foundation
import Testing

/// Every numeric option is checked for its range, NaN and infinity when it is read: exit 2
/// naming the range, never a trap (exit 132) nor a value that means something else.
@Suite struct NumericOptionTests {
    static let values = ["0", "-1", "1e300", "nan", "inf", "18446744073709551616", "ten"]

    /// (command, option, the values among `values` that are in its range, other arguments).
    static let options: [(String, String, Set<String>, [String])] = [
        ("run", "--timeout", [], []),
        ("run", "--connect-timeout", [], []),
        ("run", "--rate", ["0"], []),
        ("run", "--burst", [], []),
        ("run", "--concurrency", [], []),
        ("run", "--max-attempts", [], []),
        ("run", "--max-retry-after", ["0"], []),
        ("run", "--limit", [], []),
        ("run", "--reinvite-after", ["0"], ["--ledger", "ledger"]),
        ("run", "--skip-lines", ["0"], []),
        ("validate", "--skip-lines", ["0"], []),
        ("validate", "--team-group-id", [], []),
        ("simulate", "--port", ["0"], []),
        ("simulate", "--token-lifetime", [], []),
        ("simulate", "--latency-ms", ["0"], []),
        ("simulate", "--jitter-ms", ["0"], []),
        ("simulate", "--rate-limit", [], []),
        ("simulate", "--burst", [], []),
        ("simulate", "--retry-after", ["0"], []),
        ("simulate", "--p429", ["0"], []),
        ("simulate", "--p503", ["0"], []),
        ("simulate", "--drop-before", ["0"], []),
        ("simulate", "--drop-after", ["0"], []),
        ("simulate", "--expires-in-days", ["0"], []),
        ("simulate", "--seed", ["0"], []),
        ("simulate", "--request-timeout-ms", [], []),
        ("simulate", "--idle-timeout-ms", [], []),
        ("simulate", "--max-connections", [], []),
    ]

    @Test func everyNumericOptionRefusesWhatIsOutOfItsRangeWithExit2() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        for (command, option, valid, extra) in Self.options {
            for value in Self.values {
                // A value in range lets the command go on: `run` without a token stops
                // there (exit 2 for another reason), `simulate` would serve for ever.
                if valid.contains(value) && command == "simulate" { continue }
                var arguments = [command]
                switch command {
                case "run":
                    arguments += [
                        "people.csv", "--target", "sendoso", "--base-url", "http://127.0.0.1:9",
                    ]
                case "validate": arguments += ["people.csv", "--target", "sendoso"]
                default: break
                }
                arguments += extra + [option, value]
                let result = try tool.run(arguments)
                #expect(result.status < 128, "\(option) \(value): a crash")
                if valid.contains(value) {
                    #expect(!result.stderr.contains("\(option) \"\(value)\""), "\(option) \(value)")
                } else {
                    #expect(result.status == 2, "\(command) \(option) \(value): \(result.stderr)")
                    #expect(
                        result.stderr.contains("\(option) \"\(value)\" must be")
                            || result.stderr.contains("\(option): "),
                        "\(command) \(option) \(value): \(result.stderr)")
                    #expect(
                        result.stderr.contains(" from ") || result.stderr.contains(" must be "),
                        "\(command) \(option) \(value): the range is named: \(result.stderr)")
                }
            }
        }
    }

    @Test func aNumberFromAConfigFileIsCheckedTheSameWay() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        try tool.write("job.conf", "timeout = 1e300\nrate = inf\n")
        let result = try tool.run([
            "run", "people.csv", "--target", "sendoso", "--base-url", "http://127.0.0.1:9",
            "--config", "job.conf",
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("from 0.001 to 86400")
                || result.stderr.contains("from 0.001 to 1000000"))
    }
}
