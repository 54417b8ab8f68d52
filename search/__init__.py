"""unsearch read side: the library API.

>>> from search import SearchEngine                                  # doctest: +SKIP
>>> engine = SearchEngine.open("var/demo-index")                     # doctest: +SKIP
>>> [hit.title for hit in engine.search("安全理事会")]                # doctest: +SKIP
"""

import logging

from index.errors import IndexNotFoundError

from .budget import QueryTimeout
from .countries import country_code, country_name
from .engine import SearchEngine
from .errors import DocumentNotFound, ParamError, QueryError
from .results import DocumentView, Hit, SearchResults
from .suggest import Suggestion
from .trends import Trends, TrendSeries, TrendYear

# A library logs, the application decides where to: silent unless configured.
logging.getLogger("unsearch").addHandler(logging.NullHandler())

__all__ = ["DocumentNotFound", "DocumentView", "Hit", "IndexNotFoundError", "ParamError", "QueryError",
           "QueryTimeout", "SearchEngine", "SearchResults", "Suggestion", "TrendSeries", "TrendYear",
           "Trends", "country_code", "country_name"]
