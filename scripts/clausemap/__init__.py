"""A clause map for the citation engine (mdcite): the numbered articles of one legal text.

What the engine itself does not know: that ``@art-N`` points to Article N of a text with a given
number of articles (``@art-preamble`` to its preamble), that a clause-map entry carries a
verification status and topic tags, and the ``[[status-summary]]`` and ``[[tag-index]]`` blocks
that count and list them. This site enables it in mkdocs.yml after ``mdcite.extension``.
"""
