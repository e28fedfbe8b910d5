#!/usr/bin/env python3
"""The layers of Sources/BatchInvite and of the executable, checked (run by `make test`).

Each folder is a stage of the pipeline or a layer under them. LAYERS lists them from the
bottom up; an entry that is a tuple is a set of siblings, which stand on the same layers
and never use each other. A folder may use the types of the layers before it in LAYERS,
never those of its own layer (its siblings) or after it, and none of the folders that
PASSED_OVER names for it. The simulator may use only the bottom layers (it plays the APIs:
it must not share the client's delivery or targets). The executable (Sources/batch-invite)
stands on top: it may use every folder of the library and the simulator but those that
PASSED_OVER names for it, whose objects the pipeline builds from its plain settings.
A use is a type name (or a function, constant or variable) declared at the top level of
another folder's file, found in this folder's code (comments and string literals left
out). Exits 1 naming every use against the layers.

usage: check_layers.py [LIBRARY_DIR [EXECUTABLE_DIR]]
"""
import os
import re
import sys

LAYERS = ["Support", "Outcome", "Input", "Targets", "Mapping", "Validation",
          ("Delivery", "Journal"), "Report", "Run"]
PASSED_OVER = {
    "Delivery": {"Validation"},
    "Journal": {"Validation"},
    "Report": {"Validation", "Delivery", "Journal"},
    "batch-invite": {"Delivery", "Journal"},
}
STANDALONE = {"Simulator": {"Support", "Outcome"}}
EXECUTABLE = "batch-invite"

DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)\n]*\))?\s+)*"
    r"(?:(?:public|package|internal|private|fileprivate|final|indirect|nonisolated)\s+)*"
    r"(?:(?:class|struct|enum|protocol|actor|typealias)\s+([A-Z]\w*)"
    r"|(?:func|let|var)\s+([A-Za-z_]\w*))", re.M)


def code_of(text):
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"//.*", "", text)


def layer_of(folder):
    for index, layer in enumerate(LAYERS):
        if folder == layer or (isinstance(layer, tuple) and folder in layer):
            return index
    return None


def folders_of(layers):
    return {folder for layer in layers
            for folder in (layer if isinstance(layer, tuple) else (layer,))}


def allowed_for(folder):
    if folder in STANDALONE:
        return STANDALONE[folder]
    if folder == EXECUTABLE:
        below = folders_of(LAYERS) | set(STANDALONE)
    else:
        below = folders_of(LAYERS[:layer_of(folder)])
    return below - PASSED_OVER.get(folder, set())


def swift_files(path):
    for name in sorted(os.listdir(path)):
        if name.endswith(".swift"):
            yield name, code_of(open(os.path.join(path, name)).read())


def order_text():
    return " < ".join(" | ".join(layer) if isinstance(layer, tuple) else layer for layer in LAYERS)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../Sources/BatchInvite")
    executable = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "..", EXECUTABLE)
    declared, files = {}, []
    for folder in sorted(os.listdir(root)):
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            sys.exit(f"{folder}: every file of the library belongs in a layer's folder")
        if layer_of(folder) is None and folder not in STANDALONE:
            sys.exit(f"{folder}: a folder that is in no layer (add it to LAYERS)")
        for name, code in swift_files(path):
            files.append((folder, name, code))
            for match in DECLARATION.finditer(code):
                declared.setdefault(match.group(1) or match.group(2), folder)
    files += [(EXECUTABLE, name, code) for name, code in swift_files(executable)]
    problems = []
    for folder, name, code in files:
        allowed = allowed_for(folder)
        for type_name, owner in declared.items():
            if owner != folder and owner not in allowed and re.search(rf"\b{type_name}\b", code):
                problems.append(f"{folder}/{name} uses {type_name} of {owner}")
    for problem in problems:
        print(problem)
    rule = (order_text() + " < " + EXECUTABLE + "; siblings never use each other; "
            + "; ".join(f"{folder} uses no {', '.join(sorted(passed))}"
                        for folder, passed in PASSED_OVER.items())
            + "; the simulator uses only " + ", ".join(sorted(STANDALONE["Simulator"])))
    if problems:
        print(f"{len(problems)} uses against the layers: " + rule)
        return 1
    print(f"layers hold: {len(files)} files, " + rule)
    return 0


if __name__ == "__main__":
    sys.exit(main())
