"""``deepmine embed words|rdf`` and ``deepmine analogy`` end to end on tiny files."""

import numpy as np

from deepmine.cli import main
from deepmine.datasets import load_mutag


def test_embed_words_then_analogy(tmp_path, capsys):
    """Vectors written by 'embed words' answer 'analogy'; unknown words exit 2 with one line."""
    rng = np.random.RandomState(0)
    lines = [" ".join(rng.choice(["king", "queen", "man", "woman", "crown", "child"], 8))
             for _ in range(200)]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(lines) + "\n")
    out = tmp_path / "vectors.txt"
    assert main(["embed", "words", str(corpus), "--out", str(out), "--size", "8", "--epochs", "1",
                 "--min-count", "1"]) == 0
    assert out.read_text().startswith("6 8\n")
    hint = capsys.readouterr().out.strip().splitlines()[-1]
    command = hint.removeprefix("next: deepmine ").split("   (")[0].split()
    assert command[-2] == "--positive" and len(command[-1]) >= 4   # a frequent content word
    assert main(command) == 0                     # the suggested next command runs as printed
    assert main(["analogy", str(out), "man", "king", "woman", "--topn", "2"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-3] == "man : king :: woman : ?" and len(printed[-2].split("\t")) == 2
    assert main(["analogy", str(out), "man", "king", "unicorn"]) == 2
    assert "['unicorn'] not in the vocabulary" in capsys.readouterr().err
    assert main(["embed", "words", str(corpus), "--epochs", "0"]) == 2


def test_embed_rdf_writes_one_row_per_entity(tmp_path, capsys):
    """'embed rdf' writes entity<TAB>vector rows and reports unknown entities as an error."""
    data = load_mutag()
    ents = tmp_path / "entities.txt"
    ents.write_text("\n".join(data.entities[:3]) + "\n")
    out = tmp_path / "vectors.tsv"
    args = ["embed", "rdf", data.graph, "--entities", str(ents), "--out", str(out), "--walks", "5",
            "--size", "4", "--epochs", "1", "--skip-predicate", data.skip_predicates[0]]
    assert main(args) == 0
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    assert [r[0] for r in rows] == data.entities[:3] and all(len(r) == 5 for r in rows)
    ents.write_text("http://nowhere/x\n")
    assert main(args) == 2
    assert "not in the graph" in capsys.readouterr().err
