"""Row-level staging of page observations: canonical page URL, host, domain and canonical-link URL."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contracts import contract
from pipelines.stage.domains import DomainResolver
from pipelines.stage.urls import canonicalize_array


def stage_pages(pages: pa.Table, resolver: DomainResolver) -> pa.Table:
    """Add the stage columns of page_observations.

    A capture whose URL does not canonicalise (a dns: or non-http record the reader kept) stays a page
    observation with a null url: it is still a fetch the archive holds, it just links nobody.
    """
    url = canonicalize_array(pages["url_raw"])
    canonical = canonicalize_array(pages["canonical_url_raw"])
    domains = resolver.resolve_array(url["host"])
    staged = pages.append_column("url", url["url"]).append_column("host", url["host"])
    staged = staged.append_column("domain", pc.if_else(pc.is_null(url["host"]), None, domains["registrable_domain"]))
    staged = staged.append_column("canonical_url", canonical["url"])
    return contract("page_observations").conform(staged)
