#!/usr/bin/env python3
"""The sizes of the Swift sources, checked.

Three limits, so that no file, function or type grows past what a reader takes in at once:
- a file of more than 400 lines;
- a function of more than 60 lines, counted from the line of its keyword to the line of
  its closing brace: `func`, `init`, `deinit`, `subscript`, and a computed property's
  accessors, counted from its `var`;
- a type (struct, class, enum, actor) with more than 15 stored properties: the `let` and
  `var` declarations directly in its body, neither `static`/`class` nor computed (a `var`
  followed by a `{` body that is not `willSet`/`didSet`). Extensions and protocols hold
  none.
Comments and string literals (multi-line and raw ones too, but not the code of their
interpolations) are left out before braces are counted. Exits 1 listing each violation as
`path:line: what (N)`.

usage: check_sizes.py [PATH ...]   (files or folders; Sources/ by default)
"""
import os
import re
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_STORED_PROPERTIES = 15

TYPE_KEYWORDS = ("struct", "class", "enum", "actor", "extension", "protocol")
DECLARATION_START = re.compile(
    r"\s*(@|(?:public|private|fileprivate|internal|package|open|static|final|override"
    r"|mutating|nonmutating|nonisolated|lazy|weak|unowned|convenience|required|indirect"
    r"|func|var|let|init|deinit|subscript|case|struct|class|enum|actor|extension"
    r"|protocol|typealias|associatedtype)\b)")


def code_of(text):
    """The text with comments and string literals blanked (newlines kept), so that
    offsets and line numbers stay those of the file."""
    out = list(text)
    n = len(text)
    i = 0
    # Each context: ["code", open parentheses] inside an interpolation (None: the file),
    # ["string", hashes, multiline].
    stack = [["code", None]]

    def blank(start, end):
        for k in range(start, min(end, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        top = stack[-1]
        c = text[i]
        if top[0] == "code":
            if text.startswith("//", i):
                end = text.find("\n", i)
                end = n if end < 0 else end
                blank(i, end)
                i = end
                continue
            if text.startswith("/*", i):
                depth, j = 1, i + 2
                while j < n and depth:
                    if text.startswith("/*", j):
                        depth, j = depth + 1, j + 2
                    elif text.startswith("*/", j):
                        depth, j = depth - 1, j + 2
                    else:
                        j += 1
                blank(i, j)
                i = j
                continue
            if c == "#" or c == '"':
                j = i
                while j < n and text[j] == "#":
                    j += 1
                if j < n and text[j] == '"':
                    multiline = text.startswith('"""', j)
                    opening_end = j + (3 if multiline else 1)
                    blank(i, opening_end)
                    stack.append(["string", j - i, multiline])
                    i = opening_end
                    continue
                i = j if j > i else i + 1
                continue
            if top[1] is not None:
                if c == "(":
                    top[1] += 1
                elif c == ")":
                    if top[1] == 0:
                        stack.pop()
                        out[i] = " "
                        i += 1
                        continue
                    top[1] -= 1
            i += 1
            continue
        hashes, multiline = top[1], top[2]
        closing = ('"""' if multiline else '"') + "#" * hashes
        if text.startswith(closing, i):
            blank(i, i + len(closing))
            stack.pop()
            i += len(closing)
            continue
        escape = "\\" + "#" * hashes
        if text.startswith(escape, i):
            j = i + len(escape)
            if j < n and text[j] == "(":
                blank(i, j + 1)
                stack.append(["code", 0])
                i = j + 1
            else:
                blank(i, j + 1)
                i = j + 1
            continue
        if c != "\n":
            out[i] = " "
        i += 1
    return "".join(out)


class Source:
    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.code = code_of(text)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        # Where each `{` closes, and the innermost `{` open at each offset (-1: none).
        self.closing = {}
        self.innermost = [-1] * (len(self.code) + 1)
        opened = []
        for i, c in enumerate(self.code):
            if c == "{":
                self.innermost[i] = opened[-1] if opened else -1
                opened.append(i)
                continue
            if c == "}" and opened:
                self.closing[opened.pop()] = i
            self.innermost[i] = opened[-1] if opened else -1

    def line_of(self, offset):
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.line_starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low + 1

    def enclosing_brace(self, offset):
        """The offset of the innermost `{` whose block holds offset (-1 at the top)."""
        return self.innermost[offset]

    def body_after(self, offset):
        """The `{` that opens the body of the declaration whose name ends at offset, or
        None when it has none (a requirement, a stored property, or an `=` first)."""
        depth = 0
        i = offset
        code = self.code
        n = len(code)
        while i < n:
            c = code[i]
            if c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
            elif depth == 0:
                if c == "{":
                    return i
                if c in "};" or (c == "=" and code[i - 1] not in "=!<>" and code[i + 1] != "="):
                    return None
                if c == "\n" and DECLARATION_START.match(code, i + 1) and not re.match(
                        r"\s*(where|throws|rethrows|async)\b", code[i + 1:i + 80]):
                    return None
            i += 1
        return None

    def statement_end(self, offset):
        """Where the declaration starting at offset ends: the end of its line, or of the
        line where its open parentheses, brackets and braces close."""
        depth = 0
        code = self.code
        i = offset
        while i < len(code):
            c = code[i]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    return i
                depth -= 1
            elif depth == 0 and c in "\n;":
                return i
            i += 1
        return i


def declarations(source):
    """(kind, name, keyword offset, body `{` or None) for types and functions."""
    code = source.code
    found = []
    for m in re.finditer(r"\b(struct|class|enum|actor|extension|protocol)\s+([A-Za-z_][\w.]*)",
                         code):
        keyword, name = m.group(1), m.group(2)
        if keyword == "class" and name in ("func", "var", "let", "subscript"):
            continue
        prefix = code[max(0, m.start() - 1):m.start()]
        if prefix == ".":
            continue
        found.append((keyword, name, m.start(), source.body_after(m.end())))
    patterns = [
        ("func", r"\bfunc\s+([^\s(<]+)"),
        ("init", r"(?<![.\w])(init)[?!]?\s*[(<]"),
        ("deinit", r"(?<![.\w])(deinit)\s*\{"),
        ("subscript", r"(?<![.\w])(subscript)\s*[(<]"),
    ]
    for kind, pattern in patterns:
        for m in re.finditer(pattern, code):
            end = m.end(1)
            found.append((kind, m.group(1), m.start(), source.body_after(end)))
    for m in re.finditer(r"\bvar\s+(\w+)\s*:", code):
        brace = source.body_after(m.end())
        if brace is not None:
            found.append(("property", m.group(1), m.start(), brace))
    return found


def check(source):
    problems = []
    lines = len(source.text.splitlines())
    if lines > MAX_FILE_LINES:
        problems.append((1, f"file over {MAX_FILE_LINES} lines", lines))
    found = declarations(source)
    containers = sorted(
        (brace, source.closing.get(brace, brace), kind, name)
        for kind, name, _, brace in found
        if kind in TYPE_KEYWORDS and brace is not None)

    def owner(offset):
        best = None
        for start, end, kind, name in containers:
            if start < offset < end and (best is None or start > best[0]):
                best = (start, end, kind, name)
        return best

    for kind, name, offset, brace in found:
        if kind in TYPE_KEYWORDS or brace is None or brace not in source.closing:
            continue
        container = owner(offset)
        if container and container[2] == "protocol":
            continue
        first = source.line_of(offset)
        last = source.line_of(source.closing[brace])
        length = last - first + 1
        if length > MAX_FUNCTION_LINES:
            qualified = f"{container[3]}.{name}" if container else name
            what = "property" if kind == "property" else "function"
            problems.append((first, f"{what} {qualified} over {MAX_FUNCTION_LINES} lines",
                             length))
    for start, end, kind, name in containers:
        if kind in ("extension", "protocol"):
            continue
        count = 0
        for m in re.finditer(r"\b(let|var)\s+(\w+|\()", source.code[start:end]):
            offset = start + m.start()
            if source.enclosing_brace(offset) != start:
                continue
            statement_start = 1 + max(source.code.rfind(mark, 0, offset) for mark in "\n;{}")
            modifiers = source.code[statement_start:offset]
            if re.search(r"\b(static|class)\b", modifiers) or re.search(r"\bcase\b", modifiers):
                continue
            if m.group(1) == "var":
                brace = source.body_after(offset + len(m.group(0)))
                if brace is not None and not re.match(r"\s*(willSet|didSet)\b",
                                                      source.code[brace + 1:]):
                    continue
            statement = source.code[offset:source.statement_end(offset)]
            count += 1 + len(re.findall(r",\s*\w+\s*[:=]", _top_level(statement)))
        if count > MAX_STORED_PROPERTIES:
            problems.append((source.line_of(start),
                             f"type {name} has more than {MAX_STORED_PROPERTIES} stored properties",
                             count))
    return problems


def _top_level(statement):
    """The statement with everything inside parentheses, brackets and braces removed."""
    out, depth = [], 0
    for c in statement:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            out.append(c)
    return "".join(out)


def swift_files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for folder, subfolders, names in os.walk(path):
            subfolders.sort()
            for name in sorted(names):
                if name.endswith(".swift"):
                    yield os.path.join(folder, name)


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
    paths = sys.argv[1:] or [os.path.join(root, "Sources")]
    violations = []
    files = 0
    for path in swift_files(paths):
        files += 1
        with open(path, encoding="utf-8") as handle:
            source = Source(path, handle.read())
        shown = os.path.relpath(path, root) if os.path.isabs(path) else path
        for line, what, size in sorted(check(source)):
            violations.append(f"{shown}:{line}: {what} ({size})")
    for violation in violations:
        print(violation)
    limits = (f"no file over {MAX_FILE_LINES} lines, no function over {MAX_FUNCTION_LINES}"
              f" lines, no type with more than {MAX_STORED_PROPERTIES} stored properties")
    if violations:
        print(f"{len(violations)} violations in {files} files; the limits: {limits}")
        return 1
    print(f"sizes hold: {files} files, {limits}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
