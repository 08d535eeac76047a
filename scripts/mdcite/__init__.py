"""mdcite: Pandoc-style citations and cross-references for Python-Markdown, from one BibTeX file.

The engine is general: it knows about BibTeX, Markdown pages, sections and numbered articles,
nothing about any particular subject.
"""

__version__ = "1.1.0"
