"""mdcite: Pandoc-style citations and cross-references for Python-Markdown, from one BibTeX file.

The engine is general: it knows about BibTeX, Markdown pages, sections, figures and tables,
nothing about any particular subject. Another extension may add a family of labels of its own
(``labelkinds``) and blocks of its own (``CitationsExtension.blocks``), as this site's clause map
(``scripts/clausemap``) adds the numbered articles of the text it maps.
"""

__version__ = "1.1.0"
