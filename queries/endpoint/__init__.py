"""The SPARQL endpoint and linked-data pages of `ipkg serve` (read-only, over an Oxigraph store)."""
