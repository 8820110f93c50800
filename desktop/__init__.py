"""Branch Desk (میز شعبه): the branch-office application of the social-security organisation."""

__version__ = "0.1.0"
