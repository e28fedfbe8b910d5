import Foundation

/// Plays the two invitation APIs (README, "The two APIs") behind `HTTPServer`: the Sendoso
/// "Invite New User" endpoint and CyberArk's "Send Invitation SMS", with their token
/// check, their validation messages, a memory of who was invited, and injected faults.
///
/// Every random choice is a hash of the seed, the fault, the request's key and how many
/// requests with that key came before, so a run is reproducible whatever the order in
/// which concurrent requests arrive.
public final class InvitationSimulator: @unchecked Sendable {
    // Safe to share: `rateLimit`, `keys` and `keylessRequests` are only touched with `lock`
    // held; everything else is immutable after `init` (the log locks itself).

    public let configuration: SimulatorConfiguration
    private let log: RequestLog?
    private let lock = NSLock()
    private var rateLimit: ServerRateLimit?
    /// Per key digest: requests seen so far, and whether the key was invited (Sendoso).
    private var keys: [UInt64: KeyState] = [:]
    private var keylessRequests = 0
    private let issuer: OAuthIssuer?
    private var tokenRequests = 0

    private struct KeyState {
        var requests: UInt32 = 0
        var invited = false
    }

    public static let sendosoPath = "/api/v3/users"
    public static let cyberArkPath = "/UserMgmt/SendSmsInvite"
    /// Answers GET with the account behind the token: changes nothing.
    public static let mePath = "/api/v3/me"

    public init(configuration: SimulatorConfiguration, log: RequestLog?) {
        self.configuration = configuration
        self.log = log
        issuer = configuration.tokenEndpoint.map {
            OAuthIssuer(
                clientID: $0.clientID, secret: $0.secret, lifetime: $0.tokenLifetime,
                seed: configuration.seed)
        }
        if let rate = configuration.rateLimit.rate {
            rateLimit = ServerRateLimit(
                rate: rate, burst: configuration.rateLimit.burst ?? Int(rate.rounded(.up)))
        }
    }

    /// Decides what to do with one request.
    public func handle(_ request: HTTPRequest) -> HTTPServer.Action {
        if let issuer, OAuthIssuer.serves(request.path) {
            return requestToken(request, from: issuer)
        }
        if request.path == Self.mePath && request.method == "GET" {
            return describeAccount(request)
        }
        let api: API
        switch request.path {
        case Self.sendosoPath: api = .sendoso
        case Self.cyberArkPath: api = .cyberArk
        default:
            return .respond(.json(404, #"{"success":false,"message":"Not Found"}"#), delay: 0)
        }
        guard request.method == "POST" else {
            return .respond(
                .json(
                    405, #"{"success":false,"message":"Method Not Allowed"}"#,
                    headers: [("Allow", "POST")]), delay: 0)
        }
        return invite(request, through: api)
    }

    /// The token endpoint's answer, logged as the client's next attempt.
    private func requestToken(_ request: HTTPRequest, from issuer: OAuthIssuer)
        -> HTTPServer.Action
    {
        let (response, client, issued) = issuer.handle(request)
        lock.lock()
        tokenRequests += 1
        let attempt = tokenRequests
        lock.unlock()
        log?.append(
            RequestLog.Entry(
                api: "oauth", key: client, attempt: attempt, status: response.status,
                outcome: issued ? .issued : .rejected,
                fault: issued ? nil : Self.oauthError(response)))
        return .respond(response, delay: configuration.latency)
    }

    /// A harmless authenticated GET (for `run --dry-run --check-connection --check-path`):
    /// the account behind a valid token, without faults.
    private func describeAccount(_ request: HTTPRequest) -> HTTPServer.Action {
        guard case .valid = authorization(request) else {
            return .respond(API.sendoso.unauthorized, delay: 0)
        }
        return .respond(
            .json(200, #"{"success":true,"user":{"name":"simulated account"}}"#),
            delay: configuration.latency)
    }

    /// One invitation request as the log and the dice know it: the API, the key (e-mail or
    /// user ID) and how many requests with that key came before it, plus one.
    private struct Call {
        let api: API
        let key: String
        let attempt: Int
    }

    /// Answers a POST to one of the two APIs: the token checked, then the faults drawn for
    /// it (a dropped connection, the delay, a 429 or 503), then the API's own answer, which
    /// may still be dropped.
    private func invite(_ request: HTTPRequest, through api: API) -> HTTPServer.Action {
        // Sendoso's body, read once: its e-mail is the key, and then it is checked.
        let body = api == .sendoso ? SimulatorJSON(request.body) : nil
        let key = api.key(of: request, body: body)
        let call = Call(api: api, key: key, attempt: nextAttempt(for: key))
        if let refusal = checkToken(request, call) {
            return refusal
        }
        if dice(.dropBefore, call) < configuration.faults.dropBefore {
            record(call, nil, .fault, fault: "drop-before")
            return .drop(delay: 0)
        }
        let delay = configuration.latency + configuration.jitter * dice(.jitter, call)
        if let overloaded = overload(call, delay: delay) {
            return overloaded
        }
        let (response, outcome) =
            api == .sendoso ? inviteUser(body, email: key) : sendSMS(id: key, request: request)
        if dice(.dropAfter, call) < configuration.faults.dropAfter {
            record(call, response.status, outcome, fault: "drop-after")
            return .drop(delay: delay)
        }
        record(call, response.status, outcome)
        return .respond(response, delay: delay)
    }

    /// The 401 for a call whose bearer token is not accepted (logged); nil when it is.
    private func checkToken(_ request: HTTPRequest, _ call: Call) -> HTTPServer.Action? {
        switch authorization(request) {
        case .valid:
            return nil
        case .expired:
            record(call, 401, .rejected, fault: "expired-token")
            var answer = call.api.unauthorized
            answer.headers.append(
                (
                    "WWW-Authenticate",
                    #"Bearer error="invalid_token", error_description="The access token expired""#
                ))
            return .respond(answer, delay: 0)
        case .unknown:
            record(call, 401, .rejected)
            return .respond(call.api.unauthorized, delay: 0)
        }
    }

    /// The 429 or 503 of a server too busy for the call (logged): the rate limit's 429, or
    /// a random 429 or 503; nil when the call goes through.
    private func overload(_ call: Call, delay: Double) -> HTTPServer.Action? {
        let retryAfter = configuration.rateLimit.retryAfter
        if let wait = takeToken(), wait > 0 {
            record(call, 429, .fault, fault: "rate-limit")
            return .respond(
                tooManyRequests(retryAfter: retryAfter ?? max(1, Int(wait.rounded(.up)))),
                delay: delay)
        }
        if dice(.tooManyRequests, call) < configuration.faults.p429 {
            record(call, 429, .fault, fault: "429")
            return .respond(tooManyRequests(retryAfter: retryAfter ?? 1), delay: delay)
        }
        if dice(.unavailable, call) < configuration.faults.p503 {
            record(call, 503, .fault, fault: "503")
            return .respond(
                .json(503, #"{"success":false,"message":"Service Unavailable"}"#), delay: delay)
        }
        return nil
    }

    /// Appends the call's line to the request log, if one is kept.
    private func record(
        _ call: Call, _ status: Int?, _ outcome: RequestLog.Outcome, fault: String? = nil
    ) {
        log?.append(
            RequestLog.Entry(
                api: call.api.rawValue, key: call.key, attempt: call.attempt, status: status,
                outcome: outcome, fault: fault))
    }

    // MARK: The two APIs

    private enum API: String {
        case sendoso
        case cyberArk = "cyberark-sms"

        /// The e-mail (Sendoso, from the `body` read from the request) or the ID (CyberArk,
        /// from the query), trimmed and lower-cased; empty when there is none.
        func key(of request: HTTPRequest, body: SimulatorJSON?) -> String {
            switch self {
            case .sendoso:
                guard let text = body?["user"]?["email"]?.string else { return "" }
                return text.trimmingCharacters(in: .whitespaces).lowercased()
            case .cyberArk:
                return (request.query["ID"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            }
        }

        var unauthorized: HTTPResponse {
            switch self {
            case .sendoso:
                return .json(
                    401,
                    #"{"success":false,"message":"Unauthorized: invalid or missing access token"}"#)
            case .cyberArk:
                return .json(
                    401,
                    #"{"success":false,"Result":null,"Message":"Authorization required","ErrorID":"Unauthorized","Error":"Authorization required"}"#
                )
            }
        }
    }

    /// Sendoso's answer to `body` (nil: not JSON), whose e-mail is `email` as the key.
    private func inviteUser(_ body: SimulatorJSON?, email: String) -> (
        HTTPResponse, RequestLog.Outcome
    ) {
        func refuse(_ message: String) -> (HTTPResponse, RequestLog.Outcome) {
            (
                .json(400, "{\"success\":false,\"message\":\(TextBytes.jsonString(message))}"),
                .rejected
            )
        }
        guard let body else {
            return refuse("The request body is not valid JSON")
        }
        guard let user = body["user"], user.isObject else {
            return refuse("param is missing or the value is empty: user")
        }
        for (field, name) in [
            ("first_name", "First name"), ("last_name", "Last name"), ("email", "Email"),
        ] {
            guard let text = user[field]?.string,
                !text.trimmingCharacters(in: .whitespaces).isEmpty
            else {
                return refuse("\(name) can't be blank")
            }
        }
        if !APIRules.isEmail(email) {
            return refuse("Email is invalid")
        }
        guard let role = user["role"]?.string, role == "regular" || role == "manager" else {
            return refuse("Role can be one of these: manager,regular")
        }
        guard let team = user["team_group_id"]?.wholeNumber, team > 0,
            configuration.teams?.contains(team) ?? true
        else {
            return refuse("Please enter a valid team group")
        }
        guard markInvited(email) else {
            return refuse("Email has already been invited")
        }
        let expires = Clock.iso8601(
            milliseconds: Clock.wallMilliseconds() + Int64(configuration.expiresInDays)
                * 86_400_000,
            offsetMinutes: -8 * 60)
        let receiver = user["email"]?.string ?? email
        return (
            .json(
                201,
                "{\"success\":true,\"message\":\"Invitation sent successfully\",\"receiver_email\":\(TextBytes.jsonString(receiver)),"
                    + "\"team_group_id\":\(team),\"user_role\":\"\(role)\",\"invitation_status\":\"pending\","
                    + "\"expires_at\":\"\(expires)\"}"),
            .invited
        )
    }

    private func sendSMS(id: String, request: HTTPRequest) -> (HTTPResponse, RequestLog.Outcome) {
        func fail(_ message: String, _ errorID: String) -> (HTTPResponse, RequestLog.Outcome) {
            let text = TextBytes.jsonString(message)
            return (
                .json(
                    200,
                    "{\"success\":false,\"Result\":null,\"Message\":\(text),\"MessageID\":null,\"Exception\":null,"
                        + "\"ErrorID\":\"\(errorID)\",\"ErrorCode\":null,\"IsSoftError\":false,\"InnerExceptions\":null,"
                        + "\"Error\":\(text)}"),
                .rejected
            )
        }
        guard request.query["ID"] != nil, !id.isEmpty else {
            return fail("Missing required parameter: ID", "MissingParameter")
        }
        guard APIRules.isUUID(id), configuration.users?.contains(id) ?? true else {
            return fail("User not found: \(id)", "UserNotFound")
        }
        return (
            .json(
                200,
                "{\"success\":true,\"Result\":{\"ID\":\"\(id)\",\"SmsSent\":true},\"Message\":null,\"MessageID\":null,"
                    + "\"Exception\":null,\"ErrorID\":null,\"ErrorCode\":null,\"IsSoftError\":false,"
                    + "\"InnerExceptions\":null,\"Error\":null}"),
            .invited
        )
    }

    private func tooManyRequests(retryAfter seconds: Int) -> HTTPResponse {
        .json(
            429, #"{"success":false,"message":"Too Many Requests"}"#,
            headers: configuration.rateLimit.omitRetryAfter ? [] : [("Retry-After", "\(seconds)")])
    }

    /// The bearer token's standing: `--token`'s, or one the token endpoint issued (valid
    /// until it expires); any non-empty token when neither is configured.
    private func authorization(_ request: HTTPRequest) -> OAuthIssuer.Verdict {
        guard let value = request.header("authorization"), value.hasPrefix("Bearer ") else {
            return .unknown
        }
        let token = value.dropFirst("Bearer ".count)
        guard !token.isEmpty else { return .unknown }
        if let fixed = configuration.token, fixed == token { return .valid }
        if let issuer { return issuer.check(token) }
        return configuration.token == nil ? .valid : .unknown
    }

    /// The `error` of a token endpoint's error answer, for the request log.
    private static func oauthError(_ response: HTTPResponse) -> String? {
        SimulatorJSON(response.body)?["error"]?.string
    }

    // MARK: Shared state

    private func nextAttempt(for key: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        guard !key.isEmpty else {
            keylessRequests += 1
            return keylessRequests
        }
        let digest = digestOf(key)
        var state = keys[digest] ?? KeyState()
        state.requests += 1
        keys[digest] = state
        return Int(state.requests)
    }

    /// Records `email` as invited; false when it already was.
    private func markInvited(_ email: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let digest = digestOf(email)
        if keys[digest]?.invited == true { return false }
        keys[digest, default: KeyState()].invited = true
        return true
    }

    private func takeToken() -> Double? {
        lock.lock()
        defer { lock.unlock() }
        return rateLimit?.admit(now: Clock.monotonic())
    }

    private func digestOf(_ key: String) -> UInt64 {
        var bytes = Array(key.utf8)
        return bytes.withUnsafeMutableBytes {
            KeyDigest.digest(UnsafeRawBufferPointer($0), seed: 0x5EED)
        }
    }

    // MARK: Reproducible chance

    private enum Fault: UInt64 {
        case dropBefore = 1, jitter, tooManyRequests, unavailable, dropAfter
    }

    /// A number in [0, 1) fixed by the seed, the fault, the call's key and its attempt.
    private func dice(_ fault: Fault, _ call: Call) -> Double {
        var bytes = Array(call.key.utf8)
        withUnsafeBytes(of: UInt64(call.attempt).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: fault.rawValue.littleEndian) { bytes.append(contentsOf: $0) }
        let hash = bytes.withUnsafeMutableBytes {
            KeyDigest.digest(UnsafeRawBufferPointer($0), seed: configuration.seed)
        }
        return Double(hash >> 11) / Double(1 << 53)
    }
}
