#!/usr/bin/env python3
"""check_layers.py catches every kind of use against the layers (run by `make test`).

Each test copies Sources to a scratch directory, adds one file that makes one forbidden
use, and expects the check to exit 1 naming it; the sources as they are must pass.

usage: test_check_layers.py [-v]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "../../Sources")
CHECK = os.path.join(HERE, "check_layers.py")

# (the folder that uses, the type it uses, the folder that declares it)
FORBIDDEN = [
    ("Journal", "Dispatcher", "Delivery"),
    ("Delivery", "JournalReader", "Journal"),
    ("Delivery", "CheckedBatch", "Validation"),
    ("Journal", "DuplicateFilter", "Validation"),
    ("Report", "JournalEntry", "Journal"),
    ("Report", "RetryPolicy", "Delivery"),
    ("Report", "CheckedRows", "Validation"),
    ("Support", "RowSource", "Mapping"),
    ("Outcome", "ReportWriter", "Report"),
    ("Validation", "BatchRun", "Run"),
    ("Simulator", "FieldRules", "Targets"),
    ("Simulator", "CurlTransport", "Delivery"),
    ("batch-invite", "CurlTransport", "Delivery"),
    ("batch-invite", "JournalSummary", "Journal"),
]


def check(library):
    result = subprocess.run(
        [sys.executable, CHECK, library], capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


class CheckLayersTests(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="check-layers-")
        self.sources = os.path.join(self.scratch, "Sources")
        shutil.copytree(SOURCES, self.sources)
        self.library = os.path.join(self.sources, "BatchInvite")

    def tearDown(self):
        shutil.rmtree(self.scratch)

    def folder(self, name):
        return os.path.join(self.sources if name == "batch-invite" else self.library, name)

    def declares(self, folder, type_name):
        pattern = re.compile(rf"^(?:\w+ )*(?:class|struct|enum|protocol|actor) {type_name}\b", re.M)
        path = self.folder(folder)
        for name in os.listdir(path):
            if name.endswith(".swift"):
                with open(os.path.join(path, name)) as file:
                    if pattern.search(file.read()):
                        return True
        return False

    def test_the_sources_as_they_are_pass(self):
        code, output = check(self.library)
        self.assertEqual(code, 0, output)
        self.assertIn("layers hold", output)

    def test_each_forbidden_use_is_reported(self):
        for user, type_name, owner in FORBIDDEN:
            with self.subTest(f"{user} uses {type_name} of {owner}"):
                self.assertTrue(
                    self.declares(owner, type_name), f"{type_name} is not declared in {owner}")
                probe = os.path.join(self.folder(user), "LayerProbe.swift")
                with open(probe, "w") as file:
                    file.write(f"func layerProbe(_ value: {type_name}) {{}}\n")
                try:
                    code, output = check(self.library)
                finally:
                    os.remove(probe)
                self.assertEqual(code, 1, output)
                self.assertIn(f"{user}/LayerProbe.swift uses {type_name} of {owner}", output)

    def test_a_use_in_a_comment_or_a_string_is_no_use(self):
        probe = os.path.join(self.folder("Report"), "LayerProbe.swift")
        with open(probe, "w") as file:
            file.write('// Journal\nlet layerProbe = "Dispatcher"\n')
        code, output = check(self.library)
        self.assertEqual(code, 0, output)

    def test_a_folder_in_no_layer_stops_the_check(self):
        os.mkdir(os.path.join(self.library, "Elsewhere"))
        code, output = check(self.library)
        self.assertNotEqual(code, 0)
        self.assertIn("Elsewhere: a folder that is in no layer", output)


if __name__ == "__main__":
    unittest.main()
