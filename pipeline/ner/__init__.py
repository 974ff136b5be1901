"""Stage 3: Dutch entities with spaCy, one package per entity family.

`organisation`, `place`, `law` and `policy` each hold their spaCy factory and the logic only that family
needs; their patterns are in `models/patterns/<family>/`. `common` has what every family shares (the
folded `NORM`, the tokenizer, the family span ruler), `knowledge` the canonical entities and curation,
`resolve` merges the families' spans (and a statistical model's) into `doc.ents`, and `linker` gives
every entity its canonical name and identifier. `pipeline.nlp` assembles them from `pipeline/nlp.cfg`.
"""
