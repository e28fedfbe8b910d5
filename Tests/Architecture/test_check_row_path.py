#!/usr/bin/env python3
"""check_row_path.py counts a row's way as README.md writes it and holds it to its limits
(run by `make test`): the README as it is passes; a way with a fourth return, one with a
thirteenth crossing, a count that does not match its line, and a folder the library does
not have are each caught.

usage: test_check_row_path.py [-v]
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "../..")
README = os.path.join(ROOT, "README.md")
LIBRARY = os.path.join(ROOT, "Sources/BatchInvite")
CHECK = os.path.join(HERE, "check_row_path.py")
LINE = re.compile(r"^    (\w+(?: → \w+)+)$", re.MULTILINE)
SAID = re.compile(r"\d+ crossings, \d+ of them back")


def check(readme):
    result = subprocess.run(
        [sys.executable, CHECK, readme, LIBRARY], capture_output=True, text=True)
    return result.returncode, result.stdout


class RowPathTests(unittest.TestCase):
    def with_way(self, way, said=None):
        """README.md with the row's way replaced by `way` (and its count by `said`)."""
        text = open(README, encoding="utf-8").read()
        start = text.index("One CSV row's way through `run`")
        head, tail = text[:start], text[start:]
        tail = LINE.sub("    " + way, tail, count=1)
        if said:
            tail = SAID.sub(said, tail, count=1)
        scratch = tempfile.NamedTemporaryFile(
            "w", suffix=".md", delete=False, encoding="utf-8")
        scratch.write(head + tail)
        scratch.close()
        self.addCleanup(os.unlink, scratch.name)
        return scratch.name

    def test_the_readme_as_it_is_passes(self):
        code, out = check(README)
        self.assertEqual(code, 0, out)

    def test_a_fourth_return_is_caught(self):
        # The dispatcher asking the journal for the row's dispatch record and going on.
        way = ("Input → Mapping → Targets → Validation → Run → Delivery → Journal → Delivery"
               " → Targets → Delivery → Journal → Report")
        code, out = check(self.with_way(way, "11 crossings, 4 of them back"))
        self.assertEqual(code, 1, out)
        self.assertIn("4 returns, more than 3", out)

    def test_a_thirteenth_crossing_is_caught(self):
        way = ("Support → Outcome → Input → Mapping → Targets → Validation → Run → Journal"
               " → Delivery → Targets → Delivery → Journal → Report → Run")
        code, out = check(self.with_way(way, "13 crossings, 4 of them back"))
        self.assertEqual(code, 1, out)
        self.assertIn("13 crossings, more than 12", out)

    def test_a_count_that_is_not_the_lines_is_caught(self):
        code, out = check(self.with_way("Input → Mapping → Validation", "2 crossings, 1 of them back"))
        self.assertEqual(code, 1, out)
        self.assertIn("the line has 2 and 0", out)

    def test_a_folder_the_library_does_not_have_is_caught(self):
        code, out = check(self.with_way("Input → Parsing → Report", "2 crossings, 0 of them back"))
        self.assertEqual(code, 1, out)
        self.assertIn("Parsing is not a folder", out)


if __name__ == "__main__":
    unittest.main()
