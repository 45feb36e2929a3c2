"""The ipkg ontology (OWL + SHACL), the domain lexicon and IRI minting. Imports nothing of ours."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
ONTOLOGY_TTL = HERE / "ipkg.ttl"
SHAPES_TTL = HERE / "shapes.ttl"
LEXICON_DIR = HERE / "lexicon"
