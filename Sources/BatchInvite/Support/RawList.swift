/// A growable array of plain values in memory managed by hand, for the CSV callbacks'
/// hot path where `Array`'s uniqueness checks show up in profiles.
///
/// Copies of a `RawList` share its memory: exactly one holder may use it at a time, and
/// that holder calls `free()` once (`RecordBatch` and the CSV parser are the holders).
struct RawList<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    var isEmpty: Bool { count == 0 }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        base[count] = element
        count += 1
    }

    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress else { return }
        if count + elements.count > capacity { grow(to: count + elements.count) }
        (base + count).update(from: source, count: elements.count)
        count += elements.count
    }

    /// Makes room for `n` more elements, for the `AssumingCapacity` appends.
    mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    /// `append` where `reserve` made the room.
    @inline(__always)
    mutating func appendAssumingCapacity(_ element: Element) {
        assert(count < capacity)
        base[count] = element
        count += 1
    }

    /// Where the next elements go, when `reserve` made room for them; `extend(by:)` then
    /// counts them.
    @inline(__always)
    var tailAssumingCapacity: UnsafeMutablePointer<Element> { base + count }

    /// Counts `n` elements written at `tailAssumingCapacity` as appended.
    @inline(__always)
    mutating func extend(by n: Int) {
        assert(count + n <= capacity)
        count += n
    }

    /// Drops the elements from `index` on.
    mutating func truncate(to index: Int) {
        count = index
    }

    mutating func removeFirst(_ n: Int) {
        guard n > 0 else { return }
        base.update(from: base + n, count: count - n)
        count -= n
    }

    func free() {
        base.deallocate()
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}

extension RawList where Element == UInt8 {
    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }
}
