#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Readings of the system's clocks.
public enum Clock {
    /// Seconds on a clock that never goes backwards (for rates and timeouts).
    public static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Milliseconds since 1970-01-01 UTC.
    public static func wallMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// ISO 8601 with milliseconds at the given UTC offset: `2023-11-11T12:18:55.000-08:00`,
    /// or `...Z` for offset 0 when `zulu` is set.
    public static func iso8601(milliseconds: Int64, offsetMinutes: Int = 0, zulu: Bool = true)
        -> String
    {
        let local = milliseconds + Int64(offsetMinutes) * 60_000
        let millis = Int(((local % 1000) + 1000) % 1000)
        let totalSeconds = (local - Int64(millis)) / 1000
        var days = totalSeconds / 86_400
        var secondOfDay = totalSeconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        func three(_ value: Int) -> String {
            value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)"
        }
        let hour = Int(secondOfDay / 3600)
        let minute = Int(secondOfDay % 3600 / 60)
        let second = Int(secondOfDay % 60)
        var text =
            "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second)).\(three(millis))"
        if offsetMinutes == 0 && zulu {
            text += "Z"
        } else {
            let magnitude = abs(offsetMinutes)
            text +=
                (offsetMinutes < 0 ? "-" : "+") + two(magnitude / 60) + ":" + two(magnitude % 60)
        }
        return text
    }

    /// Year, month and day of a day counted from 1970-01-01 (proleptic Gregorian).
    static func civilDate(daysSinceEpoch: Int64) -> (Int, Int, Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}
