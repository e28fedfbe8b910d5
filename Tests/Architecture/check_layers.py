#!/usr/bin/env python3
"""The layers of Sources/BatchInvite and of the executable, checked (run by `make test`).

Each folder is a stage of the pipeline or a layer under them. LAYERS lists them from the
bottom up; an entry that is a tuple holds siblings, which stand on the same layers and
never use each other (Delivery and Journal meet through Outcome's DispatchLog). A folder
may use the types of the layers before it in LAYERS, never those of its siblings or of
the layers after it, and none of the layers PASSED_OVER names for it, though they come
before it. The simulator may use only the bottom layers (it plays the APIs: it must not
share the client's delivery or targets). The executable (Sources/batch-invite) stands on
top: it may use every folder of the library and the simulator, but not Delivery and
Journal, whose objects the pipeline (Run) makes from the plain settings it is handed.
A use is the name of a type, or of a function, constant or variable that is not private,
declared at the top level of another folder's file, found in this folder's code
(comments and string literals left out). Exits 1 naming every use against the layers.

usage: check_layers.py [LIBRARY_DIR [EXECUTABLE_DIR]]
  (the executable's folder is LIBRARY_DIR/../batch-invite unless given)
"""
import os
import re
import sys

LAYERS = ["Support", "Outcome", "Input", "Targets", "Mapping", "Validation",
          ("Delivery", "Journal"), "Report", "Run"]
PASSED_OVER = {"Delivery": {"Validation"}, "Journal": {"Validation"},
               "Report": {"Validation", "Delivery", "Journal"},
               "batch-invite": {"Delivery", "Journal"}}
STANDALONE = {"Simulator": {"Support", "Outcome"}}
EXECUTABLE = "batch-invite"
TYPE = re.compile(
    r"^(?:@\w+(?:\([^)\n]*\))?\s+)*"
    r"(?:(?:public|package|internal|private|fileprivate|final|indirect|nonisolated)\s+)*"
    r"(?:class|struct|enum|protocol|actor|typealias)\s+([A-Z]\w*)", re.M)
VALUE = re.compile(
    r"^(?:@\w+(?:\([^)\n]*\))?\s+)*(?:(?:public|package|internal|nonisolated)\s+)*"
    r"(?:func|let|var)\s+([A-Za-z_]\w*)", re.M)


def code_of(text):
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"//.*", "", text)


# The simulator is a second reading of the APIs, so besides the layers above it may not use
# the client's own JSON reader (in Support, which the layers allow) nor the client's field
# rules; nor may the command that starts it (the executable's SimulateCommand.swift).
FORBIDDEN_IN_SIMULATOR = {"JSONParser", "JSONValue", "FieldRules"}


def simulator_uses_of_client(root):
    """Each use of a FORBIDDEN_IN_SIMULATOR name in Simulator/ and in SimulateCommand.swift."""
    folder = os.path.join(root, "Simulator")
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    places = {f"Simulator/{name}": os.path.join(folder, name)
              for name in names if name.endswith(".swift")}
    command = os.path.join(root, "../batch-invite/SimulateCommand.swift")
    if os.path.isfile(command):
        places["batch-invite/SimulateCommand.swift"] = command
    uses = []
    for place, path in places.items():
        code = code_of(open(path).read())
        uses += [f"{place} uses {name}, the client's own: the simulator reads the APIs apart"
                 for name in sorted(FORBIDDEN_IN_SIMULATOR) if re.search(rf"\b{name}\b", code)]
    return uses


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "../../Sources/BatchInvite")
    executable = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "..", EXECUTABLE)
    declared, files = {}, []
    folders = [(folder, os.path.join(root, folder)) for folder in sorted(os.listdir(root))]
    for folder, path in folders + [(EXECUTABLE, executable)]:
        if not os.path.isdir(path):
            sys.exit(f"{folder}: every file of the library belongs in a layer's folder")
        if layer_of(folder) is None and folder not in STANDALONE and folder != EXECUTABLE:
            sys.exit(f"{folder}: a folder that is in no layer (add it to LAYERS)")
        for name in sorted(os.listdir(path)):
            if name.endswith(".swift"):
                code = code_of(open(os.path.join(path, name)).read())
                files.append((folder, name, code))
                if folder == EXECUTABLE:
                    continue  # its own module: the library cannot use its names
                for match in list(TYPE.finditer(code)) + list(VALUE.finditer(code)):
                    declared.setdefault(match.group(1), folder)
    problems = []
    for folder, name, code in files:
        allowed = allowed_for(folder)
        for type_name, owner in declared.items():
            if owner != folder and owner not in allowed and re.search(rf"\b{type_name}\b", code):
                problems.append(f"{folder}/{name} uses {type_name} of {owner}")
    problems += simulator_uses_of_client(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} uses against the layers: " + rule())
        return 1
    print(f"layers hold: {len(files)} files, " + rule())
    return 0


def layer_of(folder):
    """The index in LAYERS of the layer `folder` is in (alone or among siblings), or None."""
    for index, layer in enumerate(LAYERS):
        if folder == layer or (isinstance(layer, tuple) and folder in layer):
            return index
    return None


def allowed_for(folder):
    """The folders `folder` may use."""
    if folder in STANDALONE:
        return STANDALONE[folder]
    layers = LAYERS if folder == EXECUTABLE else LAYERS[:layer_of(folder)]
    below = {name for layer in layers for name in (layer if isinstance(layer, tuple) else (layer,))}
    if folder == EXECUTABLE:
        below |= set(STANDALONE)
    return below - PASSED_OVER.get(folder, set())


def rule():
    order = " < ".join("(" + " | ".join(layer) + ")" if isinstance(layer, tuple) else layer
                       for layer in LAYERS)
    return (order + " < the executable; siblings never use each other; "
            + "; ".join(f"{folder} uses no {', '.join(sorted(passed))}"
                        for folder, passed in PASSED_OVER.items())
            + "; the simulator uses only " + ", ".join(sorted(STANDALONE["Simulator"])))


if __name__ == "__main__":
    sys.exit(main())
