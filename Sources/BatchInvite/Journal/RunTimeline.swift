/// A run's history as its journal records it: each run that opened the journal (the first,
/// then each resume), and, second by second, the invitations made, the requests sent, the
/// retries among them, the 429 answers, the rows failed, and the rate limit in force (which
/// falls when the API answers 429 and climbs back). The HTML report draws it.
public struct RunTimeline: Sendable, Equatable {
    /// One second of a run (only seconds in which something happened are recorded).
    public struct Second: Sendable, Equatable {
        /// The second's end, in milliseconds since 1970.
        public var at: Int64
        public var invited = 0
        public var requests = 0
        public var retries = 0
        public var throttled = 0
        public var failed = 0
        /// Requests per second allowed at the second's end; nil for no limit.
        public var rate: Double?

        public init(
            at: Int64, invited: Int = 0, requests: Int = 0, retries: Int = 0, throttled: Int = 0,
            failed: Int = 0, rate: Double? = nil
        ) {
            self.at = at
            self.invited = invited
            self.requests = requests
            self.retries = retries
            self.throttled = throttled
            self.failed = failed
            self.rate = rate
        }

        /// The journal record (members, without the checksum).
        var object: [UInt8] {
            var out = Array("{\"type\":\"second\",\"at\":\(at),\"invited\":\(invited)".utf8)
            out.append(contentsOf: ",\"requests\":\(requests),\"retries\":\(retries)".utf8)
            out.append(contentsOf: ",\"throttled\":\(throttled),\"failed\":\(failed)".utf8)
            if let rate, rate.isFinite {
                out.append(contentsOf: ",\"rate\":".utf8)
                out.append(contentsOf: String(format: "%.3f", rate).utf8)
            }
            out.append(UInt8(ascii: "}"))
            return out
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

    /// A run opening the journal.
    public struct Start: Sendable, Equatable {
        /// Milliseconds since 1970.
        public var at: Int64
        /// Rows earlier runs had settled for good.
        public var done: Int

        public init(at: Int64, done: Int) {
            self.at = at
            self.done = done
        }
    }

    public var starts: [Start] = []
    public var seconds: [Second] = []

    public init(starts: [Start] = [], seconds: [Second] = []) {
        self.starts = starts
        self.seconds = seconds
    }

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
