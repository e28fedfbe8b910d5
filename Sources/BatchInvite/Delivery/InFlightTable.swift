/// The rows whose request is in flight, by the transport's tag: one slot a request.
struct InFlightTable {
    private var jobs: [Job?]
    /// The tags of the empty slots.
    private var freeTags: [Int]

    init(slots: Int) {
        jobs = Array(repeating: nil, count: slots)
        freeTags = Array((0..<slots).reversed())
    }

    /// Requests in flight.
    var count: Int { jobs.count - freeTags.count }

    /// Puts `job` in a free slot (there must be one); returns the slot's tag.
    mutating func add(_ job: Job) -> Int {
        let tag = freeTags.removeLast()
        jobs[tag] = job
        return tag
    }

    /// The job whose request ended under `tag`, its slot freed.
    mutating func remove(tag: Int) -> Job? {
        guard let job = jobs[tag] else { return nil }
        jobs[tag] = nil
        freeTags.append(tag)
        return job
    }
}
