import Foundation

/// A run's timeline in the journal: a `start` record for each run that opens it, a `second`
/// record for each second in which something happened.
extension RunTimeline {
    /// Takes a record the journal holds besides rows (`start`, `second`); others are left.
    mutating func take(_ json: JSONValue) {
        switch json["type"]?.text {
        case "second":
            if let second = Second(json) { seconds.append(second) }
        case "start":
            // Journals of earlier versions have no `at` in their start records.
            if let at = json["at"]?.text.flatMap({ Int64($0) }) {
                starts.append(Start(at: at, done: json["done"]?.text.flatMap { Int($0) } ?? 0))
            }
        default:
            break
        }
    }
}

extension RunTimeline.Second {
    /// The journal record (members, without the checksum).
    var object: [UInt8] {
        JSONWriter.object { json in
            json.member("type", "second")
            json.member("at", Int(at))
            json.member("invited", invited)
            json.member("requests", requests)
            json.member("retries", retries)
            json.member("throttled", throttled)
            json.member("failed", failed)
            if let rate, rate.isFinite {
                json.member("rate", number: String(format: "%.3f", rate))
            }
        }
    }

    init?(_ json: JSONValue) {
        guard let at = json["at"]?.text.flatMap({ Int64($0) }) else { return nil }
        func count(_ name: String) -> Int { json[name]?.text.flatMap { Int($0) } ?? 0 }
        self.init(
            at: at, invited: count("invited"), requests: count("requests"),
            retries: count("retries"), throttled: count("throttled"), failed: count("failed"),
            rate: json["rate"]?.text.flatMap { Double($0) })
    }
}
