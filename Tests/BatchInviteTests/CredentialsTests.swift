import BatchInvite
import Foundation
import Testing

/// A token source that hands out the tokens of a script, one per fetch (the last again
/// when the script is used up), or fails as told.
final class ScriptedSource: TokenSource, @unchecked Sendable {
    // Safe to share: everything is only touched with `lock` held.
    private let lock = NSLock()
    private var tokens: [AccessToken]
    private var fetched = 0
    var failure: CredentialFailure?
    let renews: Bool
    let name = "the scripted source"

    init(_ tokens: [AccessToken], renews: Bool = true) {
        self.tokens = tokens
        self.renews = renews
    }

    var fetches: Int {
        lock.lock()
        defer { lock.unlock() }
        return fetched
    }

    func fetch() throws -> AccessToken {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        fetched += 1
        return tokens[min(fetched - 1, tokens.count - 1)]
    }
}

/// A token source that gives the same token every time, the second and later times only
/// once `gate` lets it.
final class GatedSource: TokenSource, @unchecked Sendable {
    let token: AccessToken
    let gate: DispatchSemaphore
    private let lock = NSLock()
    private var fetched = 0
    let renews = true
    let name = "the gated source"

    init(_ token: AccessToken, gate: DispatchSemaphore) {
        self.token = token
        self.gate = gate
    }

    func fetch() throws -> AccessToken {
        lock.lock()
        fetched += 1
        let first = fetched == 1
        lock.unlock()
        if !first { gate.wait() }
        return token
    }
}

/// Waits (up to 2 s) until `condition` holds.
func eventually(_ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(2)
    while !condition() && Date() < deadline { usleep(1000) }
    return condition()
}

@Suite struct TokenTextTests {
    @Test func aTokenAloneOrAJSONObjectWithItsLifetime() throws {
        #expect(try TokenText.parse("abc.def\n", from: "x") == AccessToken(value: "abc.def"))
        #expect(
            try TokenText.parse(
                #"{"access_token":"t1","token_type":"Bearer","expires_in":3600}"#, from: "x")
                == AccessToken(value: "t1", lifetime: 3600))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let at = try TokenText.parse(
            #"{"token":"t2","expires_at":"2027-01-15T08:00:30Z"}"#, from: "x", now: now)
        #expect(at.value == "t2" && at.lifetime == 30)
    }

    @Test func failuresSayWhichExitTheyMean() {
        func code(_ text: String) -> ExitCode? {
            do {
                _ = try TokenText.parse(text, from: "the token command")
                return nil
            } catch let failure as CredentialFailure {
                return failure.exitCode
            } catch {
                return nil
            }
        }
        #expect(
            code(#"{"error":"invalid_client","error_description":"bad secret"}"#)
                == .credentialsRejected)
        #expect(code("") == .temporary)
        #expect(code("two words") == .usage)
        #expect(code(#"{"access_token":"t","token_type":"mac"}"#) == .usage)
        #expect(code(#"{"expires_in":5}"#) == .usage)
    }
}

@Suite struct TokenKeeperTests {
    @Test func a401DuringAnEarlyRenewalThatGivesTheSameTokenIsARealRejection() throws {
        // The source hands out "a" again (a cached token) only once let through.
        let clock = ManualClock()
        let gate = DispatchSemaphore(value: 0)
        let source = GatedSource(AccessToken(value: "a", lifetime: 100), gate: gate)
        let keeper = TokenKeeper(
            source: source, redactor: Redactor(secrets: []),
            clock: {
                clock.read()
            })
        try keeper.start()
        clock.advance(95)
        _ = keeper.maintain()  // the early renewal begins
        // Meanwhile the API rejects "a": the request waits for the renewal.
        #expect(keeper.rejected(generation: 1) == .wait)
        gate.signal()
        // The same token again: held requests would wait for ever; the rejection is real.
        #expect(eventually { keeper.failure != nil })
        #expect(keeper.failure?.exitCode == .credentialsRejected)
    }

    @Test func aTokenIsRenewedWhenATenthOfItsLifetimeIsLeft() throws {
        let clock = ManualClock()
        let source = ScriptedSource([
            AccessToken(value: "first", lifetime: 10), AccessToken(value: "second", lifetime: 10),
        ])
        let redactor = Redactor(secrets: [])
        let keeper = TokenKeeper(source: source, redactor: redactor, clock: { clock.read() })
        try keeper.start()
        #expect(keeper.current == ("first", 1))
        clock.advance(8.9)
        let early = keeper.maintain()
        #expect(early.canSend && abs(early.recheck - 0.1) < 1e-6 && source.fetches == 1)
        clock.advance(0.2)
        #expect(keeper.maintain().canSend)
        #expect(eventually { keeper.current.generation == 2 })
        #expect(keeper.current.value == "second" && keeper.renewalCount == 1)
        #expect(redactor.redact("a first and a second") == "a [redacted] and a [redacted]")
    }

    @Test func anExpiredTokenHoldsRequestsUntilItsRenewal() throws {
        let clock = ManualClock()
        let source = ScriptedSource([AccessToken(value: "old", lifetime: 10)])
        let keeper = TokenKeeper(
            source: source, redactor: Redactor(secrets: []), clock: { clock.read() })
        try keeper.start()
        source.failure = CredentialFailure("unreachable", exitCode: .temporary)
        clock.advance(10.5)
        #expect(!keeper.maintain().canSend)
        // Past its end, a renewal that fails is the end of the run.
        #expect(eventually { keeper.failure?.exitCode == .temporary })
    }

    @Test func aTransientFailureWithTimeLeftIsTriedAgain() throws {
        let clock = ManualClock()
        let source = ScriptedSource([
            AccessToken(value: "old", lifetime: 100), AccessToken(value: "new", lifetime: 100),
        ])
        let keeper = TokenKeeper(
            source: source, redactor: Redactor(secrets: []), clock: { clock.read() })
        try keeper.start()
        source.failure = CredentialFailure("busy", exitCode: .temporary)
        clock.advance(91)
        _ = keeper.maintain()
        // The failed try leaves the token in use and sets a time to try again.
        #expect(eventually { keeper.maintain().recheck > 1 })
        #expect(keeper.failure == nil && keeper.current.value == "old")
        source.failure = nil
        clock.advance(2.1)
        _ = keeper.maintain()
        #expect(eventually { keeper.current.value == "new" })
    }

    @Test func a401ForAnOlderTokenIsSentAgainAndForTheNewestRenewsOnce() throws {
        let source = ScriptedSource([AccessToken(value: "a"), AccessToken(value: "b")])
        let keeper = TokenKeeper(source: source, redactor: Redactor(secrets: []))
        try keeper.start()
        #expect(keeper.rejected(generation: 1) == .wait)
        #expect(keeper.rejected(generation: 1) == .wait || keeper.current.generation == 2)
        #expect(eventually { keeper.current.generation == 2 })
        #expect(keeper.rejected(generation: 1) == .sendAgain)
        // "b" came from a renewal after a 401 and never worked: its 401 is final.
        #expect(keeper.rejected(generation: 2) == .rejected)
    }

    @Test func aRenewedTokenThatWorkedMayBeRenewedAgainAfterA401() throws {
        let source = ScriptedSource([
            AccessToken(value: "a"), AccessToken(value: "b"), AccessToken(value: "c"),
        ])
        let keeper = TokenKeeper(source: source, redactor: Redactor(secrets: []))
        try keeper.start()
        _ = keeper.rejected(generation: 1)
        #expect(eventually { keeper.current.generation == 2 })
        keeper.worked(generation: 2)
        #expect(keeper.rejected(generation: 2) == .wait)
        #expect(eventually { keeper.current.value == "c" })
    }

    @Test func aTokenThatWouldAddAHeaderIsRefusedFirstOrRenewed() throws {
        let first = TokenKeeper(
            source: ScriptedSource([AccessToken(value: "tok\r\nX-Injected: yes")]),
            redactor: Redactor())
        #expect(throws: CredentialFailure.self) { try first.start() }
        let redactor = Redactor()
        let renewed = TokenKeeper(
            source: ScriptedSource([
                AccessToken(value: "good-token"), AccessToken(value: "bäd-token"),
            ]), redactor: redactor)
        try renewed.start()
        #expect(renewed.rejected(generation: 1) == .wait)
        #expect(eventually { renewed.failure != nil })
        #expect(renewed.failure?.exitCode == .credentialsRejected)
        #expect(
            renewed.failure?.message
                == "the scripted source gave a token that cannot be sent: its character 2 is not "
                + "ASCII (ä); a token is visible ASCII only (a CR or LF would add a header of its "
                + "own to the request); nothing was sent with it: fix what the scripted source "
                + "gives, then run again")
        #expect(renewed.current.value == "good-token")
        #expect(redactor.redact("bäd-token") == "[redacted]")
    }

    @Test func aSourceThatGivesTheSameTokenAgainMakesTheRejectionReal() throws {
        let file = ScriptedSource([AccessToken(value: "same")])
        let keeper = TokenKeeper(source: file, redactor: Redactor(secrets: []))
        try keeper.start()
        #expect(keeper.rejected(generation: 1) == .wait)
        #expect(eventually { keeper.failure != nil })
        #expect(keeper.failure?.exitCode == .credentialsRejected)
        let fixed = TokenKeeper(
            source: ScriptedSource([AccessToken(value: "env")], renews: false),
            redactor: Redactor(secrets: []))
        try fixed.start()
        #expect(fixed.rejected(generation: 1) == .rejected)
    }
}

@Suite struct DispatcherCredentialTests {
    let unauthorized = TransportResult.answered(HTTPAnswer(status: 401, body: []))

    @Test func rowsRejectedWithAnExpiredTokenAreSentAgainWithTheRenewedOneWithoutUsingAnAttempt()
        throws
    {
        let source = ScriptedSource([AccessToken(value: "expired"), AccessToken(value: "fresh")])
        let keeper = TokenKeeper(source: source, redactor: Redactor(secrets: []))
        try keeper.start()
        let (outcomes, control, transport) = dispatch(
            rows: 50, concurrency: 8, maxAttempts: 1, credentials: keeper,
            answerWithToken: { _, _, token in token == "fresh" ? created : unauthorized })
        #expect(control.stopReason == nil)
        #expect(outcomes.count == 50)
        #expect(outcomes.values.allSatisfy { $0.status == .invited && $0.attempts == 1 })
        // One renewal for every row that met the old token.
        #expect(source.fetches == 2)
        let first = transport.tokenOfRequest.filter { $0.token == "expired" }
        #expect(first.count >= 1 && transport.tokenOfRequest.count == 50 + first.count)
    }

    @Test func a401ThatTheRenewedTokenDoesNotCureStopsTheRunAsRejected() throws {
        let source = ScriptedSource([AccessToken(value: "a"), AccessToken(value: "b")])
        let keeper = TokenKeeper(source: source, redactor: Redactor(secrets: []))
        try keeper.start()
        let (outcomes, control, _) = dispatch(
            rows: 10, concurrency: 4, credentials: keeper,
            answerWithToken: { _, _, _ in unauthorized })
        #expect(control.stopReason == .tokenRejected(status: 401))
        #expect(control.stopReason?.exitCode == .credentialsRejected)
        #expect(outcomes.count == 10 && outcomes.values.allSatisfy { $0.status == .notSent })
    }

    @Test func aTokenSourceThatFailsStopsTheRunWithItsExitCode() throws {
        let source = ScriptedSource([AccessToken(value: "a")])
        let keeper = TokenKeeper(source: source, redactor: Redactor(secrets: []))
        try keeper.start()
        source.failure = CredentialFailure(
            "the token command exited with status 1", exitCode: .temporary)
        let (outcomes, control, _) = dispatch(
            rows: 6, concurrency: 2, credentials: keeper,
            answerWithToken: { _, _, _ in unauthorized })
        #expect(control.stopReason?.exitCode == .temporary)
        #expect(outcomes.values.allSatisfy { $0.status == .notSent })
        #expect(
            outcomes[6]?.message == "not sent: the run stopped because no token could be had")
    }
}

@Suite struct TokenCommandTests {
    func failure(_ command: String, timeout: Double = 30, secrets: [String] = [])
        -> CredentialFailure?
    {
        do {
            _ = try TokenCommand(
                command: command, timeout: timeout, redactor: Redactor(secrets: secrets)
            )
            .fetch()
            return nil
        } catch {
            return error as? CredentialFailure
        }
    }

    @Test func itsOutputIsTheTokenOrJSON() throws {
        let redactor = Redactor(secrets: [])
        #expect(
            try TokenCommand(command: "echo t0ken", redactor: redactor).fetch()
                == AccessToken(value: "t0ken"))
        let json = try TokenCommand(
            command: #"printf '{"access_token":"abc","expires_in":90}'"#, redactor: redactor
        ).fetch()
        #expect(json == AccessToken(value: "abc", lifetime: 90))
    }

    @Test func failuresAreExit3WhenRefusedAnd5OtherwiseWithTheLastLineRedacted() {
        let refused = failure(
            "echo 'vault: permission denied for s3cr3t-value' >&2; exit 3",
            secrets: ["s3cr3t-value"])
        #expect(refused?.exitCode == .credentialsRejected)
        #expect(
            refused?.message
                == "the token command exited with status 3: vault: permission denied for [redacted]"
        )
        #expect(failure("exit 1")?.exitCode == .temporary)
        #expect(failure("true")?.message == "the token command printed nothing")
        let slow = failure("sleep 5", timeout: 0.3)
        #expect(slow?.exitCode == .temporary)
        #expect(
            slow?.message
                == "the token command took longer than 0.3 s and was stopped, with everything it started"
        )
    }
}
