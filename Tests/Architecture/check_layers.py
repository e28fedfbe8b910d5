#!/usr/bin/env python3
"""The layers of Sources/BatchInvite, checked (run by `make test`).

Each folder is a stage of the pipeline or a layer under them. A folder may use the types
of the folders before it in LAYERS, never those after it; the simulator may use only the
bottom layers (it plays the APIs: it must not share the client's delivery or targets).
A use is a type name declared at the top level of another folder's file, found in this
folder's code (comments and string literals left out). Exits 1 naming every use out of
order.

usage: check_layers.py [SOURCES_DIR]
"""
import os
import re
import sys

LAYERS = ["Support", "Outcome", "Input", "Targets", "Mapping", "Validation", "Delivery",
          "Journal", "Report", "Run"]
STANDALONE = {"Simulator": {"Support", "Outcome"}}


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
    declared, files = {}, []
    for folder in sorted(os.listdir(root)):
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            sys.exit(f"{folder}: every file of the library belongs in a layer's folder")
        if folder not in LAYERS and folder not in STANDALONE:
            sys.exit(f"{folder}: a folder that is in no layer (add it to LAYERS)")
        for name in sorted(os.listdir(path)):
            if name.endswith(".swift"):
                code = code_of(open(os.path.join(path, name)).read())
                files.append((folder, name, code))
                for match in re.finditer(
                        r"^(?:public |private |fileprivate |final |indirect )*"
                        r"(?:class|struct|enum|protocol|actor|typealias)\s+([A-Z]\w*)", code, re.M):
                    declared.setdefault(match.group(1), folder)
    problems = []
    for folder, name, code in files:
        allowed = (STANDALONE.get(folder) if folder in STANDALONE
                   else set(LAYERS[:LAYERS.index(folder)]))
        for type_name, owner in declared.items():
            if owner != folder and owner not in allowed and re.search(rf"\b{type_name}\b", code):
                problems.append(f"{folder}/{name} uses {type_name} of {owner}")
    problems += simulator_uses_of_client(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} uses against the layers: " + " < ".join(LAYERS)
              + "; the simulator uses only " + ", ".join(sorted(STANDALONE["Simulator"])))
        return 1
    print(f"layers hold: {len(files)} files, " + " < ".join(LAYERS) + "; Simulator apart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
