"""mdcite: Pandoc-style citations and cross-references for Python-Markdown, from one BibTeX file.

The engine is general: it knows about BibTeX, Markdown pages, sections, figures and tables,
nothing about any particular subject. Another extension may add a family of labels of its own
(``labelkinds``) and blocks of its own (``CitationsExtension.blocks``), as this site's clause map
(``scripts/clausemap``) adds the articles of the treaty.
"""

__version__ = "1.1.0"
