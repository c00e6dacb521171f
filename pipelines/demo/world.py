"""The demo link world: a seeded power-law web of referring domains, pages and links to a few target sites.

Everything here is ground truth. URLs are canonical: lower-case punycode host, no default port, no fragment,
no tracking parameters, root path `/`; paths are ASCII (already percent-encoded). The exports in
`pipelines.demo.exports` write these URLs back with surface variation a canonicaliser must undo.

Time: a link is *live* as of a snapshot date D when it was first seen before D 00:00 and not lost before then
(or restored before then). Timestamps are naive UTC.
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import accumulate

import ada_url
import numpy as np
import polars as pl

DEFAULT_DATES = (date(2026, 10, 1), date(2026, 11, 1))
HISTORY_DAYS = 4 * 365  # how far back first-seen dates reach

# Ahrefs's lost tokens: which column states them (Lost status or Drop reason) and the LINK_SEMANTICS code.
LOST_REASONS: dict[str, tuple[str, str]] = {
    "removedfromhtml": ("status", "link_removed"),
    "notfound": ("status", "page_not_found"),
    "pageerror": ("status", "page_error"),
    "pageredirected": ("status", "page_redirected"),
    "lostredirect": ("status", "lost_redirect"),
    "noindex": ("status", "noindex"),
    "notcanonical": ("status", "not_canonical"),
    "tooold": ("drop", "page_dropped"),
    "disallowed": ("drop", "page_dropped"),
    "nxdomain": ("drop", "page_dropped"),
}
ANCHOR_KINDS = ("branded", "naked", "generic", "exact", "partial", "compound", "image", "empty", "other")


def to_ascii_host(host: str) -> str:
    """Lower-case ASCII (punycode) form of a host; ASCII hosts and IP literals are only lower-cased."""
    return host.lower() if host.isascii() else bytes(ada_url.idna_to_ascii(host)).decode()


def to_unicode_host(host: str) -> str:
    """Unicode form of a punycode host, as browsers and some exports show it."""
    return ada_url.idna_to_unicode(host) if "xn--" in host else host


@dataclass(frozen=True)
class TargetSite:
    """A site whose backlinks the demo exports describe."""

    domain: str  # registrable domain, Unicode
    host: str  # the site's canonical host, Unicode
    brand: str
    brand_variants: tuple[str, ...]
    keywords: tuple[str, ...]
    lang: str
    n_pages: int
    share: float  # share of the referring domains' links that go to this site
    sections: tuple[str, ...]
    internal_host: str  # a second host of the same site (a subdomain) that links to the main one

    @property
    def ascii_domain(self) -> str:
        return to_ascii_host(self.domain)

    @property
    def ascii_host(self) -> str:
        return to_ascii_host(self.host)

    @property
    def root_url(self) -> str:
        return f"https://{self.ascii_host}/"


DEFAULT_TARGETS: tuple[TargetSite, ...] = (
    TargetSite(
        domain="acme-tools.com", host="www.acme-tools.com", brand="Acme Tools",
        brand_variants=("Acme Tools", "acme tools", "ACME Tools", "Acme", "AcmeTools"),
        keywords=("hand tools", "cordless drill", "tool storage", "power tools", "workbench"),
        lang="en", n_pages=320, share=0.58,
        sections=("products", "category", "blog", "guides", "support"), internal_host="blog.acme-tools.com",
    ),
    TargetSite(
        domain="bücher-welt.de", host="bücher-welt.de", brand="Bücher Welt",
        brand_variants=("Bücher Welt", "Bücherwelt", "bücher welt", "BÜCHER WELT"),
        keywords=("bücher kaufen", "gebrauchte bücher", "hörbücher", "krimis online"),
        lang="de", n_pages=140, share=0.24,
        sections=("buch", "kategorie", "magazin", "autoren"), internal_host="forum.bücher-welt.de",
    ),
    TargetSite(
        domain="example-shop.co.uk", host="www.example-shop.co.uk", brand="Example Shop",
        brand_variants=("Example Shop", "example shop", "Example-Shop", "EXAMPLE SHOP"),
        keywords=("garden furniture", "outdoor lighting", "bbq accessories", "patio heaters"),
        lang="en", n_pages=90, share=0.18,
        sections=("shop", "collections", "journal", "help"), internal_host="help.example-shop.co.uk",
    ),
)

# (suffix, weight, country, language); the last three are private-section PSL suffixes.
_SUFFIXES: tuple[tuple[str, float, str, str], ...] = (
    ("com", 34, "us", "en"), ("org", 6, "", "en"), ("net", 5, "", "en"), ("info", 1.5, "", "en"),
    ("io", 1.5, "", "en"), ("co.uk", 6, "gb", "en"), ("com.au", 3, "au", "en"), ("de", 9, "de", "de"),
    ("fr", 5, "fr", "fr"), ("es", 3, "es", "es"), ("it", 2, "it", "it"), ("nl", 2, "nl", "nl"),
    ("pl", 2, "pl", "pl"), ("com.br", 2, "br", "pt"), ("jp", 3.5, "jp", "ja"), ("ru", 4, "ru", "ru"),
    ("рф", 1.5, "ru", "ru"), ("blogspot.com", 2.5, "", "en"), ("github.io", 1.5, "", "en"),
    ("wordpress.com", 1, "", "en"),
)
_PRIVATE_SUFFIXES = frozenset({"blogspot.com", "github.io", "wordpress.com"})
SYLLABLES = (
    "al", "ba", "cor", "den", "fi", "gar", "hel", "ka", "lum", "mar", "nor", "ol", "pra", "ri", "sol", "tan",
    "vel", "wen", "yor", "zen", "bri", "cas", "dor", "em", "fal", "gri", "hol", "jas", "kin", "lo", "mo",
    "nix", "pe", "ros", "sta", "tri", "ul", "vo", "wil", "ar",
)
NAME_TAILS = (
    "blog", "hub", "news", "tools", "diy", "home", "craft", "review", "guide", "forum", "mag", "times",
    "daily", "life", "world", "zone", "lab", "works", "press", "digest", "corner", "notes", "geek", "pro",
    "depot",
)
_CYRILLIC = ("при", "мер", "книг", "дом", "сад", "мир", "тех", "мастер", "блог", "новост", "лес", "город")
_JAPANESE = ("工具", "日曜大工", "ブログ", "道具", "本", "読書", "庭", "暮らし", "手作り", "情報")
_UMLAUT = ("bär", "küche", "schöner", "grün", "mühle", "höhle", "füchse", "gärten", "löwen")
_SUBDOMAINS = ("blog", "news", "forum", "shop", "en", "m", "community", "docs")
# (ISP, country, /16 prefixes it announces): referring IPs cluster the way shared hosting does.
_ISPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("IONOS SE", "de", ("217.160", "82.165")), ("Hetzner Online GmbH", "de", ("88.198", "136.243", "5.9")),
    ("OVH SAS", "fr", ("51.38", "145.239")), ("Cloudflare, Inc.", "us", ("104.21", "172.67")),
    ("DigitalOcean, LLC", "us", ("167.99", "159.65")), ("Amazon.com, Inc.", "us", ("52.58", "3.120")),
    ("SAKURA Internet Inc.", "jp", ("153.120", "49.212")), ("Beget LLC", "ru", ("87.236", "5.101")),
    ("Automattic, Inc.", "us", ("192.0",)), ("Google LLC", "us", ("142.250", "172.217")),
)
_NETWORK_SUBNET = ("185.253.33", "Spectrum Hosting LLC", "nl")
_NETWORK_SUFFIXES = ("xyz", "top", "online", "site", "club")
# Platform per referring site, repeated to weight it (blogs and CMS sites dominate; wikis are few).
_PLATFORMS = ("blogs",) * 6 + ("cms",) * 6 + ("news",) * 3 + ("ecommerce",) * 2 + ("message boards",) * 2 + (
    "wiki",)

WORDS: dict[str, tuple[str, ...]] = {
    "en": ("best", "guide", "review", "how", "choose", "diy", "garden", "kitchen", "workshop", "project",
           "tips", "build", "home", "repair", "weekend", "beginner", "complete", "list", "ideas", "budget",
           "test", "comparison", "update", "story", "reading", "books", "summer", "winter", "deal", "outdoor",
           "lighting", "furniture", "patio", "shed", "renovation", "gift", "tested", "favourite"),
    "de": ("anleitung", "test", "vergleich", "tipps", "werkstatt", "garten", "buecher", "lesen", "roman",
           "krimi", "neu", "beste", "selber", "bauen", "heimwerker", "empfehlung", "sommer"),
    "fr": ("guide", "outils", "jardin", "maison", "lecture", "livres", "meilleur", "conseils", "bricolage"),
    "es": ("guia", "herramientas", "jardin", "libros", "mejores", "consejos", "casa", "bricolaje"),
    "it": ("guida", "attrezzi", "giardino", "libri", "migliori", "consigli"),
    "nl": ("gids", "gereedschap", "tuin", "boeken", "beste", "tips"),
    "pl": ("poradnik", "narzedzia", "ogrod", "ksiazki", "najlepsze", "porady"),
    "pt": ("guia", "ferramentas", "jardim", "livros", "melhores", "dicas"),
    "ru": ("instrumenty", "sad", "dom", "knigi", "obzor", "sovety", "remont", "luchshie"),
    "ja": ("blog", "entry", "archives", "review", "diy", "books", "garden"),
}
_TITLE_WORDS: dict[str, tuple[str, ...]] = {
    "ru": ("Инструменты", "для", "дома", "обзор", "лучшие", "книги", "советы", "сад", "ремонт"),
    "ja": ("おすすめ", "工具", "レビュー", "まとめ", "本", "読書", "ガーデニング", "比較"),
}
GENERIC_ANCHORS: dict[str, tuple[str, ...]] = {
    "en": ("click here", "read more", "website", "here", "this site", "learn more", "visit site", "link"),
    "de": ("hier klicken", "hier", "mehr erfahren", "Webseite", "weiterlesen", "zur Website"),
    "fr": ("cliquez ici", "en savoir plus", "site web", "ici", "lire la suite"),
    "es": ("leer más", "haga clic aquí", "aquí", "sitio web", "más información"),
    "it": ("clicca qui", "qui", "sito web"),
    "nl": ("klik hier", "lees meer", "website"),
    "pl": ("kliknij tutaj", "więcej", "strona"),
    "pt": ("clique aqui", "saiba mais", "site"),
    "ru": ("подробнее", "здесь", "сайт", "ссылка", "тут"),
    "ja": ("こちら", "詳しくはこちら", "公式サイト", "ここ"),
}
_PARTIAL: dict[str, tuple[str, ...]] = {
    "en": ("best {kw}", "{kw} reviews", "cheap {kw}", "{kw} buying guide", "top 10 {kw}",
           "{kw} for beginners"),
    "de": ("{kw} günstig", "beste {kw}", "{kw} im Test", "{kw} in Berlin"),
}
_COMPOUND = ("{brand} {kw}", "{kw} by {brand}", "{kw} from {brand}", "{brand} – {kw}")
_OTHER = (
    "this review", "according to one retailer", "the full list", "Tools, hardware & more",
    '"Pro" series, tested', "here's a great overview", "as seen on their blog", "source; photo credit",
    "🔧🔧🔧", "⭐⭐⭐⭐⭐ {kw}", "👉 {brand}", "инструменты для дома", "電動ドリル おすすめ",
    "أدوات يدوية", "电钻推荐", "{brand}の工具",
    "{brand} — инструменты", "Ελληνικά εργαλεία",
)
_LONG_ANCHOR = (
    "When we rebuilt the workshop last winter we compared a dozen suppliers, read every review we could "
    "find, asked around in three different forums, and in the end ordered almost everything from {brand}, "
    "mostly because the {kw} they sell came with a proper warranty, arrived within two days, and the support "
    "team answered our questions about batteries, chucks and torque settings patiently and in plain "
    "language, which is more than we can say for most of the big marketplaces we tried before them. "
) * 3
_NAV_ANCHORS = ("Home", "Next »", "« Previous", "Related", "Shop now", "Read the guide", "{kw}", "{brand}")


class _Picker:
    """Scalar draws served from a pre-drawn numpy buffer: numpy's per-call overhead dominates scalar use."""

    def __init__(self, rng: np.random.Generator, size: int = 1 << 16) -> None:
        self.rng, self.size = rng, size
        self.buf: list[float] = rng.random(size).tolist()
        self.pos = 0

    def random(self) -> float:
        if self.pos == self.size:
            self.buf, self.pos = self.rng.random(self.size).tolist(), 0
        self.pos += 1
        return self.buf[self.pos - 1]

    def index(self, n: int) -> int:
        return min(int(self.random() * n), n - 1)

    def pick(self, options: Sequence[str]) -> str:
        return options[self.index(len(options))]

    def words(self, options: Sequence[str], k: int, sep: str = "") -> str:
        return sep.join(self.pick(options) for _ in range(k))


@dataclass(frozen=True)
class _Domains:
    """Column arrays, one entry per referring domain."""

    kind: np.ndarray  # regular | sitewide | network | ip
    domain: list[str]  # registrable domain (private PSL section), Unicode
    domain_icann: list[str]  # registrable domain by the ICANN section only, Unicode
    host: list[str]  # canonical host, Unicode
    scheme: list[str]
    lang: list[str]
    country: list[str]
    platform: list[str]
    ip: list[str]
    isp: list[str]
    authority: np.ndarray  # 0..1 latent quality: every vendor metric is a noisy function of it
    n_link_pages: np.ndarray
    site_pages: np.ndarray
    first_seen: np.ndarray  # datetime64[s]: the domain's first link
    nxdomain_at: np.ndarray  # datetime64[s] or NaT: the domain expired
    primary_target: np.ndarray
    all_nofollow: np.ndarray


class _Namer:
    """Unique registrable names from syllables, in the script the suffix calls for."""

    def __init__(self, pick: _Picker) -> None:
        self.p = pick
        self.used: set[str] = set()

    def take(self, suffix: str) -> str:
        for attempt in range(100):
            name = f"{self._label(suffix, attempt // 20)}.{suffix}"
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name space exhausted")

    def _label(self, suffix: str, longer: int) -> str:
        p = self.p
        if suffix == "рф":
            return p.words(_CYRILLIC, 2 + longer)
        if suffix == "jp" and p.random() < 0.3:
            return p.words(_JAPANESE, 1 + longer + int(p.random() < 0.5))
        if suffix == "de" and p.random() < 0.15:
            return f"{p.pick(_UMLAUT)}-{p.words(SYLLABLES, 2 + longer)}"
        head = p.words(SYLLABLES, 2 + p.index(2) + longer)
        return f"{head}-{p.pick(NAME_TAILS)}" if p.random() < 0.25 else f"{head}{p.pick(NAME_TAILS)}"


def _days(x: np.ndarray | float) -> np.ndarray:
    """Float days to timedelta64[s]."""
    return (np.asarray(x) * 86400).astype("timedelta64[s]")


def _dt64(d: date) -> np.datetime64:
    return np.datetime64(datetime(d.year, d.month, d.day), "s")


def _spread(rng: np.random.Generator, lo: np.ndarray | np.datetime64, hi: np.ndarray | np.datetime64,
            power: float = 1.0) -> np.ndarray:
    """Instants between lo and hi; power < 1 leans towards hi (recent), as link growth does."""
    a, b = np.broadcast_arrays(np.asarray(lo, dtype="datetime64[s]"), np.asarray(hi, dtype="datetime64[s]"))
    return a + (rng.random(a.shape) ** power * (b - a).astype(np.int64)).astype("timedelta64[s]")


def _weekend_dip(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Move some weekend events to the Friday before: publishers and crawlers are quieter at weekends."""
    weekday = (t.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    shift = np.where((weekday >= 5) & (rng.random(t.shape) < 0.4), weekday - 4, 0)
    return t - _days(shift.astype(float))


def _make_domains(rng: np.random.Generator, n_domains: int, targets: Sequence[TargetSite],
                  dates: tuple[date, date], spike_day: date) -> _Domains:
    p = _Picker(rng)
    scale = float(np.clip(n_domains / 3000, 0.05, 4.0))
    n_sitewide = max(3, round(n_domains / 600))
    n_network = max(12, round(n_domains / 60))
    n_ip = max(3, round(n_domains / 500))
    n_regular = max(n_domains - n_sitewide - n_network - n_ip, 10)
    kinds = np.array(["regular"] * n_regular + ["sitewide"] * n_sitewide + ["network"] * n_network
                     + ["ip"] * n_ip)
    n = len(kinds)
    namer = _Namer(p)
    weights = np.array([s[1] for s in _SUFFIXES])
    suffix_idx = rng.choice(len(_SUFFIXES), size=n, p=weights / weights.sum())
    cols: dict[str, list[str]] = {k: [] for k in ("domain", "host", "scheme", "lang", "country", "platform",
                                                  "ip", "isp")}
    # The IDN hosts named in the brief exist in every world, whatever the seed draws.
    fixed = (("пример.рф", "ru", "ru"), ("例え.jp", "ja", "jp"))
    for i in range(n):
        suffix, _, cc, lang = _SUFFIXES[int(suffix_idx[i])]
        kind = kinds[i]
        if kind == "network":
            suffix, cc, lang = p.pick(_NETWORK_SUFFIXES), "", "en"
            words = (p.pick(("best", "top", "pro", "cheap", "buy")), p.pick(("tools", "drill", "diy")))
            name = f"{words[0]}-{words[1]}-{i}.{suffix}"
            namer.used.add(name)
        elif kind == "ip":
            name = ""
        elif i < len(fixed):
            name, lang, cc = fixed[i]
            namer.used.add(name)
        else:
            name = namer.take(suffix)
        if kind == "network":
            isp, cc = _NETWORK_SUBNET[1], _NETWORK_SUBNET[2]
            addr = f"{_NETWORK_SUBNET[0]}.{2 + p.index(252)}"
        else:
            isp, isp_cc, prefixes = _ISPS[p.index(len(_ISPS))]
            # Shared hosting crowds sites into few /24s: the third octet comes from a small range.
            third = p.index(4 if p.random() < 0.3 else 256)
            addr = f"{p.pick(prefixes)}.{third}.{2 + p.index(252)}"
            cc = cc or p.pick(("us", "gb", "ca", "in", isp_cc, "", ""))
        if kind == "ip":
            name = host = addr
        elif suffix in _PRIVATE_SUFFIXES or not name.isascii():
            host = name if not (not name.isascii() and p.random() < 0.3) else f"www.{name}"
        else:
            r = p.random()
            host = f"www.{name}" if r < 0.45 else name if r < 0.85 else f"{p.pick(_SUBDOMAINS)}.{name}"
        cols["domain"].append(name)
        cols["host"].append(host)
        cols["scheme"].append("http" if kind == "ip" or p.random() < 0.12 else "https")
        cols["lang"].append(lang)
        cols["country"].append(cc)
        cols["platform"].append("blogs" if kind == "network" else p.pick(_PLATFORMS))
        cols["ip"].append(addr)
        cols["isp"].append(isp)
    domain_icann = [
        ".".join(d.split(".")[-2:]) if any(d.endswith("." + s) for s in _PRIVATE_SUFFIXES) else d
        for d in cols["domain"]
    ]
    sw, net = kinds == "sitewide", kinds == "network"
    n_link_pages = np.minimum(rng.zipf(1.8, n), 600)
    n_link_pages[net] = rng.integers(1, 5, int(net.sum()))
    n_link_pages[kinds == "ip"] = rng.integers(1, 6, int((kinds == "ip").sum()))
    site_pages = (n_link_pages * (1 + rng.lognormal(2.5, 1.2, n))).astype(np.int64) + 1
    site_pages[sw] = (rng.uniform(900, 2600, int(sw.sum())) * scale).astype(np.int64) + 20
    n_link_pages[sw] = (site_pages[sw] * rng.uniform(0.93, 0.99, int(sw.sum()))).astype(np.int64)
    authority = np.clip(0.35 * rng.random(n) + 0.25 * np.log1p(site_pages) / np.log1p(site_pages.max())
                        + 0.4 * rng.beta(1.2, 4.0, n), 0, 1)
    authority[net] *= 0.15
    authority[sw] = np.maximum(authority[sw], 0.45)

    t1, t2 = _dt64(dates[0]), _dt64(dates[1])
    first = _weekend_dip(rng, _spread(rng, np.full(n, t1 - np.timedelta64(HISTORY_DAYS, "D")), t2, 0.6))
    first[net] = _dt64(spike_day)
    first[sw] = t1 - _days(rng.uniform(200, 700, int(sw.sum())))
    nxdomain = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    expire = (kinds == "regular") & (rng.random(n) < 0.012)
    nxdomain[expire] = t1 - _days(rng.uniform(-30, 150, int(expire.sum())))
    shares = np.array([t.share for t in targets])
    primary = rng.choice(len(targets), size=n, p=shares / shares.sum())
    primary[net] = 0
    # Most sitewide links go to the first target, one in four to the second.
    primary[sw] = np.where(np.arange(int(sw.sum())) % 4 == 3, 1 % len(targets), 0)
    all_nofollow = (rng.random(n) < 0.05) | (np.array(cols["platform"]) == "wiki")
    all_nofollow[sw | net] = False
    return _Domains(kinds, cols["domain"], domain_icann, cols["host"], cols["scheme"], cols["lang"],
                    cols["country"], cols["platform"], cols["ip"], cols["isp"], authority, n_link_pages,
                    site_pages, first, nxdomain, primary, all_nofollow)


def _page_path(p: _Picker, platform: str, lang: str, i: int, when: np.datetime64) -> str:
    """A page path in the style of the site's platform; `i` keeps paths unique within the site."""
    slug = p.words(WORDS[lang], 2 + p.index(3), "-")
    y, m = str(when)[:4], str(when)[5:7]
    r = p.random()
    if r < 0.004:
        return f"/@{p.pick(WORDS[lang])}{i}/{slug}"  # Medium-style handles put `@` in paths
    if r < 0.008:
        return f"/files/{slug.title().replace('-', '%20')}%20{i}.html"  # spaces arrive percent-encoded
    if platform == "blogs":
        return f"/{y}/{m}/{slug}-{i}/"
    if platform == "message boards":
        return f"/threads/{slug}.{1000 + i}/" if r < 0.7 else f"/index.php?topic={1000 + i}.0"
    if platform == "wiki":
        return f"/wiki/{slug.replace('-', '_').capitalize()}_{i}"
    if platform == "ecommerce":
        return f"/products/{slug}-{i}"
    if platform == "news":
        return f"/news/{y}/{m}/{slug}-{100000 + i}.html"
    return f"/{slug}-{i}/" if r < 0.6 else f"/{p.pick(WORDS[lang])}/{slug}-{i}.html"


def _page_title(p: _Picker, lang: str, path: str, site: str) -> str:
    if lang in _TITLE_WORDS:
        text = p.words(_TITLE_WORDS[lang], 2 + p.index(3), " ")
    else:
        stem = path.rstrip("/").rsplit("/", 1)[-1].split(".")[0].split("?")[0]
        text = " ".join(w for w in stem.replace("_", "-").replace("%20", "-").split("-") if not w.isdigit())
        text = text.title() or "Home"
    return f"{text} – {site}" if p.random() < 0.7 else text


def _target_pages(p: _Picker, site: TargetSite) -> list[str]:
    words = WORDS["de" if site.lang == "de" else "en"]
    kw_slugs = [k.replace(" ", "-").replace("ü", "ue").replace("ö", "oe") for k in site.keywords]
    paths = ["/"] + [f"/{s}/" for s in site.sections]
    i = 0
    while len(paths) < site.n_pages:
        i += 1
        section, kw, word = site.sections[i % len(site.sections)], p.pick(kw_slugs), p.pick(words)
        if site.domain == "example-shop.co.uk" and i % 9 == 0:
            paths.append(f"/product.php?id={1000 + i}")  # a legacy page keyed by its query string
        elif i % 3 == 0:
            paths.append(f"/{section}/{kw}/{word}-{i}")
        else:
            paths.append(f"/{section}/{word}-{kw}-{i}{'.html' if i % 5 == 0 else ''}")
    return paths


@dataclass(frozen=True)
class LinkWorld:
    """Ground truth of the demo: referring domains, target sites and every link with its history."""

    seed: int
    dates: tuple[date, date]
    spike_day: date
    targets: tuple[TargetSite, ...]
    domains: pl.DataFrame  # one row per referring domain
    links: pl.DataFrame  # one row per link (source page, target URL, anchor, type), timeless

    def as_of(self, snapshot: date) -> pl.DataFrame:
        """The links that exist as of `snapshot` (first seen before it), with their state on that date.

        Crawl lags (how stale last_seen is) are drawn per snapshot date; other dates reuse the first's."""
        cut = datetime(snapshot.year, snapshot.month, snapshot.day)
        idx = self.dates.index(snapshot) if snapshot in self.dates else 0
        lag = pl.col(f"_crawl_lag_{idx}")
        restored = pl.col("restored_at").is_not_null() & (pl.col("restored_at") < cut)
        lost = pl.col("lost_at").is_not_null() & (pl.col("lost_at") < cut) & ~restored
        seen_to = pl.when(lost).then(pl.col("lost_at")).otherwise(pl.lit(cut))
        return (
            self.links.filter(pl.col("first_seen") < cut)
            .with_columns(
                snapshot_date=pl.lit(snapshot),
                is_live=~lost,
                status=pl.when(lost).then(pl.lit("lost")).otherwise(pl.lit("live")),
                last_seen=pl.max_horizontal(pl.col("first_seen"), seen_to - lag).dt.truncate("1s"),
                lost_at=pl.when(lost).then(pl.col("lost_at")),
                lost_reason=pl.when(lost).then(pl.col("lost_reason")),
                lost_token=pl.when(lost).then(pl.col("lost_token")),
                new_reason=pl.when(restored).then(pl.lit("linkrestored")).otherwise(pl.col("new_reason")),
            )
            .drop("restored_at", *[c for c in self.links.columns if c.startswith("_crawl_lag_")])
        )

    def truth(self) -> pl.DataFrame:
        """One row per (snapshot date, link) for every snapshot: the link as it stood on that date."""
        return pl.concat([self.as_of(d) for d in self.dates])

    @cached_property
    def sitewide_domains(self) -> list[str]:
        """Registrable (ASCII) domains that link to a target from nearly every page."""
        return self.domains.filter(pl.col("kind") == "sitewide")["domain"].to_list()

    @cached_property
    def network_subnet(self) -> str:
        """The /24 of the link network that appears on the spike day."""
        return f"{_NETWORK_SUBNET[0]}.0/24"


def build_world(seed: int = 7, n_domains: int = 3000, dates: tuple[date, date] = DEFAULT_DATES,
                targets: tuple[TargetSite, ...] = DEFAULT_TARGETS) -> LinkWorld:
    """Generate the link world: same arguments, same world."""
    d1, d2 = dates
    if not d1 < d2:
        raise ValueError(f"snapshot dates must increase: {dates}")
    spike_day = d1 + timedelta(days=max(1, int((d2 - d1).days * 0.55)))

    def stream(k: int) -> np.random.Generator:
        # One independent stream per concern, so tuning one part does not reshuffle the others.
        return np.random.default_rng([seed, k])

    dom = _make_domains(stream(1), n_domains, targets, dates, spike_day)
    rng, p = stream(2), _Picker(stream(3))
    t1, t2 = _dt64(d1), _dt64(d2)
    tpages = [_target_pages(p, t) for t in targets]

    # Referring pages: a regular site's first page dates the site; later pages lean recent.
    page_dom = np.repeat(np.arange(len(dom.kind)), dom.n_link_pages)
    kind_p = dom.kind[page_dom]
    page_first = _spread(rng, dom.first_seen[page_dom], t2, 0.8)
    page_first[np.r_[0, np.cumsum(dom.n_link_pages)[:-1]]] = dom.first_seen
    page_first = np.where(kind_p == "regular", _weekend_dip(rng, page_first), page_first)
    net_p, sw_p = kind_p == "network", kind_p == "sitewide"
    page_first[net_p] = dom.first_seen[page_dom[net_p]] + rng.integers(0, 86400, int(net_p.sum())).astype(
        "timedelta64[s]")
    # A footer link reaches every existing page at once; crawlers discover it as they revisit the pages.
    page_first[sw_p] = dom.first_seen[page_dom[sw_p]] + _days(rng.uniform(0, 60, int(sw_p.sum())))
    page_path: list[str] = []
    page_title: list[str] = []
    for d, m in enumerate(dom.n_link_pages.tolist()):
        offset = len(page_path)
        for j in range(m):
            when = page_first[offset + j]
            if dom.kind[d] == "sitewide":
                path = "/" if j == 0 else f"/{str(when)[:4]}/{p.words(WORDS[dom.lang[d]], 3, '-')}-{j}/"
            elif m > 3 and j == 0 and p.random() < 0.3:
                path = "/"
            else:
                path = _page_path(p, dom.platform[d], dom.lang[d], j, when)
            page_path.append(path)
            page_title.append(_page_title(p, dom.lang[d], path, dom.domain[d]))
    n_pages = len(page_dom)

    # Links per page: mostly one, sometimes a few.
    per_page = 1 + (rng.random(n_pages) < 0.16) + (rng.random(n_pages) < 0.04)
    per_page[sw_p] = 1
    per_page[net_p] = rng.integers(1, 4, int(net_p.sum()))
    lp = np.repeat(np.arange(n_pages), per_page)
    n = len(lp)
    ld = page_dom[lp]
    lkind = dom.kind[ld]
    special = (lkind == "sitewide") | (lkind == "network")
    target = np.where(rng.random(n) < 0.82, dom.primary_target[ld], rng.integers(0, len(targets), n))
    target[special] = dom.primary_target[ld][special]
    tpage = np.zeros(n, dtype=np.int64)
    for t, pages in enumerate(tpages):
        w = 1.0 / np.arange(1, len(pages) + 1) ** 1.05
        w[0] *= 4  # the home page collects the most links
        mask = target == t
        tpage[mask] = rng.choice(len(pages), size=int(mask.sum()), p=w / w.sum())
    tpage[lkind == "sitewide"] = 0
    ltype = rng.choice(np.array(["text", "image", "redirect", "canonical", "frame", "form"]), size=n,
                       p=[0.835, 0.095, 0.035, 0.013, 0.014, 0.008])
    ltype[special] = "text"

    # First seen: with the page (pagefound) or later on a known page (linkfound).
    linkfound = ((rng.random(n) < 0.15) & (lkind == "regular")) | (lkind == "sitewide")
    page_t = page_first[lp]
    first = np.where(linkfound & (lkind == "regular"), _spread(rng, page_t, t2),
                     page_t + _days(rng.exponential(1.5, n)))
    first[lkind == "network"] = page_t[lkind == "network"]
    first = np.minimum(first, t2 - np.timedelta64(1, "h"))

    # Twins: a page that links one target URL with a logo image as well as text (two anchors, one backlink).
    twin = np.flatnonzero((rng.random(n) < 0.03) & (ltype == "text") & (lkind == "regular"))
    order = np.r_[np.arange(n), twin]
    lp, ld, lkind, target, tpage, first, linkfound = (
        a[order] for a in (lp, ld, lkind, target, tpage, first, linkfound))
    ltype = np.r_[ltype, np.full(len(twin), "image")]
    is_twin = np.r_[np.zeros(n, bool), np.ones(len(twin), bool)]
    n = len(lp)

    # Rel attributes: about 70 % dofollow overall; forums mark user links ugc.
    r = rng.random(n)
    nofollow, sponsored, ugc = r < 0.16, (r >= 0.16) & (r < 0.2), (r >= 0.2) & (r < 0.24)
    nofollow |= (sponsored & (rng.random(n) < 0.4)) | (ugc & (rng.random(n) < 0.8))
    forum_ugc = (np.array(dom.platform)[ld] == "message boards") & (rng.random(n) < 0.6)
    ugc |= forum_ugc
    nofollow |= forum_ugc | dom.all_nofollow[ld]
    special = (lkind == "sitewide") | (lkind == "network")
    for flag in (nofollow, ugc, sponsored):
        flag[special] = False
    sw_domains = np.flatnonzero(dom.kind == "sitewide")
    sponsored[ld == sw_domains[np.argmin(dom.n_link_pages[sw_domains])]] = True  # one paid footer link

    anchor, anchor_kind = _anchors(_Picker(stream(4)), targets, tpages, target, tpage, ltype, lkind, ld, dom,
                                   is_twin)

    # Redirect links come from redirecting URLs, not from the page itself.
    src_path = np.array(page_path, dtype=object)[lp]
    redirect = np.flatnonzero(ltype == "redirect")
    src_path[redirect] = [f"/go/{targets[target[i]].ascii_domain.split('.')[0]}-{k}"
                          for k, i in enumerate(redirect)]

    lost_at, lost_token, restored_at, nxdomain = _losses(stream(5), dom, page_dom, lp, ld, ltype, first, t1,
                                                         t2)
    dom = replace(dom, nxdomain_at=nxdomain)
    lrng = stream(6)
    crawl_lags = [_days(lrng.exponential(4.0, n) + 0.1) for _ in dates]
    external = _link_frame(dom, targets, tpages, lp, ld, src_path, target, tpage, ltype, anchor,
                           anchor_kind, nofollow, ugc, sponsored, first, linkfound, lost_at, lost_token,
                           restored_at, crawl_lags,
                           np.array(page_title, dtype=object)[lp].tolist(), _Picker(lrng))
    internal = _internal_links(_Picker(stream(7)), targets, tpages, t2, len(dates), n_pages)
    links = pl.concat([external, internal.select(external.columns)], how="vertical_relaxed").with_row_index(
        "link_id")
    links = links.with_columns(pl.col("link_id").cast(pl.Int64))
    return LinkWorld(seed, dates, spike_day, targets, _domain_frame(dom), links)


def _losses(rng: np.random.Generator, dom: _Domains, page_dom: np.ndarray, lp: np.ndarray, ld: np.ndarray,
            ltype: np.ndarray, first: np.ndarray, t1: np.datetime64, t2: np.datetime64,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """When and why each link was lost (page events, domain expiry, link removal; the earliest wins), when it
    came back, and the domains' expiry dates moved after their last link appeared."""
    n, n_pages = len(lp), len(page_dom)
    day, nat = np.timedelta64(1, "D"), np.datetime64("NaT")
    lo, hi = t1 - np.timedelta64(150, "D"), t2 + np.timedelta64(60, "D")

    def after(floor: np.ndarray, happens: np.ndarray) -> np.ndarray:
        # An event ends what existed before it: it falls after `floor`, weekends a little quieter.
        when = np.maximum(_weekend_dip(rng, _spread(rng, floor, hi)), floor)
        return np.where(happens & (floor < hi), when, nat)

    # A page or a domain dies after the last of its links appeared, so all its links go on one date.
    page_floor = np.full(n_pages, lo)
    np.maximum.at(page_floor, lp, first + day)
    page_lost = after(page_floor, rng.random(n_pages) < 0.10 + 0.08 * (1 - dom.authority[page_dom]))
    page_token = rng.choice(np.array(["notfound", "pageerror", "pageredirected", "noindex", "notcanonical",
                                      "tooold", "disallowed"]),
                            size=n_pages, p=[0.4, 0.14, 0.2, 0.1, 0.06, 0.05, 0.05])
    dom_floor = np.full(len(dom.kind), lo)
    np.maximum.at(dom_floor, ld, first + day)
    nxdomain = np.where(np.isnat(dom.nxdomain_at), nat, np.maximum(dom.nxdomain_at, dom_floor))
    lkind = dom.kind[ld]
    link_lost = after(np.maximum(first + day, lo), (rng.random(n) < 0.11) & (lkind != "sitewide"))
    lost_at = np.full(n, nat, dtype="datetime64[s]")
    lost_token = np.full(n, "", dtype=object)
    for when, token in ((page_lost[lp], page_token[lp]), (nxdomain[ld], np.full(n, "nxdomain")),
                        (link_lost, np.where(ltype == "redirect", "lostredirect", "removedfromhtml"))):
        better = ~np.isnat(when) & (np.isnat(lost_at) | (when < lost_at))
        lost_at[better], lost_token[better] = when[better], token[better]
    # The link network is the spike of new links; losses after the last snapshot have not happened yet.
    gone = (lkind == "network") | (lost_at >= t2)
    lost_at[gone], lost_token[gone] = nat, ""
    # Some recently lost links come back between the snapshots: a page back from an error, a link re-added.
    recent = ~np.isnat(lost_at) & (lost_at < t1) & (lost_at >= t1 - np.timedelta64(90, "D"))
    page_back = np.where(rng.random(n_pages) < 0.12, _spread(rng, np.full(n_pages, t1), t2), nat)
    link_back = np.where(rng.random(n) < 0.12, _spread(rng, np.full(n, t1), t2), nat)
    restored_at = np.where(recent & np.isin(lost_token, ["pageerror", "notfound"]), page_back[lp],
                           np.where(recent & (lost_token == "removedfromhtml"), link_back, nat))
    return lost_at, lost_token, restored_at, nxdomain


def _anchors(p: _Picker, targets: Sequence[TargetSite], tpages: list[list[str]], target: np.ndarray,
             tpage: np.ndarray, ltype: np.ndarray, lkind: np.ndarray, ld: np.ndarray, dom: _Domains,
             is_twin: np.ndarray) -> tuple[list[str], list[str]]:
    """Anchor text and its category per link, mixed as a realistic anchor profile."""
    kinds = ("branded", "naked", "generic", "partial", "exact", "compound", "empty", "other")
    cum = list(accumulate((0.38, 0.14, 0.13, 0.12, 0.035, 0.06, 0.025, 0.11)))
    net_kinds, net_cum = ("exact", "partial", "compound"), list(accumulate((0.55, 0.35, 0.10)))
    sw_anchor: dict[int, tuple[str, str]] = {}
    long_left = 2
    anchors: list[str] = []
    out_kinds: list[str] = []
    for i in range(len(target)):
        site = targets[int(target[i])]
        kw = p.pick(site.keywords)
        if lkind[i] == "sitewide":
            # A footer link repeats one anchor on every page of the site.
            text, kind = sw_anchor.setdefault(
                int(ld[i]), (site.brand, "branded") if len(sw_anchor) % 2 == 0 else (f"{site.brand} {kw}",
                                                                                      "compound"))
        elif ltype[i] in ("redirect", "canonical", "frame"):
            text, kind = "", "empty"
        elif ltype[i] == "image":
            kind = "image"
            text = (f"{site.brand} logo" if is_twin[i] else f"{kw} {10 + p.index(90)}V"
                    if p.random() < 0.45 else "")  # empty alt text is common
        else:
            u = p.random()
            if lkind[i] == "network":
                kind = net_kinds[min(bisect(net_cum, u * net_cum[-1]), len(net_kinds) - 1)]
            else:
                kind = kinds[min(bisect(cum, u * cum[-1]), len(kinds) - 1)]
            tpath = tpages[int(target[i])][int(tpage[i])]
            text = _anchor_text(p, kind, site, kw, dom.lang[int(ld[i])], tpath)
            if kind == "other" and long_left and p.random() < 0.003:
                # A whole paragraph inside the link: rare, and longer than any sane anchor limit.
                text = " ".join(_LONG_ANCHOR.format(brand=site.brand, kw=kw).split())
                long_left -= 1
        anchors.append(text)
        out_kinds.append(kind)
    return anchors, out_kinds


def _anchor_text(p: _Picker, kind: str, site: TargetSite, kw: str, lang: str, tpath: str) -> str:
    if kind == "branded":
        return p.pick(site.brand_variants)
    if kind == "naked":
        return p.pick((site.host, site.domain, f"https://{site.host}/", f"https://{site.host}{tpath}",
                       site.ascii_domain))
    if kind == "generic":
        return p.pick(GENERIC_ANCHORS.get(lang, GENERIC_ANCHORS["en"]))
    if kind == "exact":
        return kw
    if kind == "partial":
        return p.pick(_PARTIAL.get(site.lang, _PARTIAL["en"])).format(kw=kw)
    if kind == "compound":
        return p.pick(_COMPOUND).format(brand=site.brand, kw=kw)
    if kind == "empty":
        return ""
    return p.pick(_OTHER).format(brand=site.brand, kw=kw)


def _link_frame(dom: _Domains, targets: Sequence[TargetSite], tpages: list[list[str]], lp: np.ndarray,
                ld: np.ndarray, src_path: np.ndarray, target: np.ndarray, tpage: np.ndarray,
                ltype: np.ndarray, anchor: list[str], anchor_kind: list[str], nofollow: np.ndarray,
                ugc: np.ndarray, sponsored: np.ndarray, first: np.ndarray, linkfound: np.ndarray,
                lost_at: np.ndarray, lost_token: np.ndarray, restored_at: np.ndarray,
                crawl_lags: list[np.ndarray], page_title: list[str], p: _Picker) -> pl.DataFrame:
    def per_link(values: Sequence[str]) -> list[str]:
        return np.array(values, dtype=object)[ld].tolist()

    hosts = np.array([to_ascii_host(h) for h in dom.host], dtype=object)[ld]
    scheme = np.array(dom.scheme, dtype=object)[ld]
    thost = np.array([t.ascii_host for t in targets], dtype=object)[target]
    tpath = [tpages[t][q] for t, q in zip(target.tolist(), tpage.tolist(), strict=True)]
    kind = dom.kind[ld]
    return pl.DataFrame({
        "source_url": [f"{s}://{h}{q}" for s, h, q in zip(scheme, hosts, src_path, strict=True)],
        "target_url": [f"https://{h}{q}" for h, q in zip(thost, tpath, strict=True)],
        "source_scheme": scheme.tolist(),
        "source_host": hosts.tolist(),
        "source_host_unicode": per_link(dom.host),
        "source_path": src_path.tolist(),
        "source_domain": per_link([to_ascii_host(d) for d in dom.domain]),
        "source_domain_icann": per_link([to_ascii_host(d) for d in dom.domain_icann]),
        "source_is_ip": kind == "ip",
        "target": np.array([t.ascii_domain for t in targets], dtype=object)[target].tolist(),
        "target_host": thost.tolist(),
        "target_host_unicode": np.array([t.host for t in targets], dtype=object)[target].tolist(),
        "target_path": tpath,
        "anchor": anchor,
        "anchor_kind": anchor_kind,
        "nofollow": nofollow,
        "ugc": ugc,
        "sponsored": sponsored,
        "link_type": ltype.tolist(),
        "is_internal": np.zeros(len(lp), dtype=bool),
        "is_sitewide": kind == "sitewide",
        "is_network": kind == "network",
        "first_seen": first.astype("datetime64[us]"),
        "lost_at": lost_at.astype("datetime64[us]"),
        "lost_reason": [LOST_REASONS[t][1] if t else None for t in lost_token],
        "lost_token": [t or None for t in lost_token],
        "restored_at": restored_at.astype("datetime64[us]"),
        "new_reason": np.where(linkfound, "linkfound", "pagefound").tolist(),
        "domain_id": ld.astype(np.int64),
        "page_id": lp.astype(np.int64),
        "page_title": page_title,
        "placement": ["footer" if k == "sitewide" else "content" if p.random() < 0.8 else "sidebar"
                      for k in kind],
        **{f"_crawl_lag_{k}": lag.astype("timedelta64[us]") for k, lag in enumerate(crawl_lags)},
    })


def _internal_links(p: _Picker, targets: Sequence[TargetSite], tpages: list[list[str]], until: np.datetime64,
                    n_snapshots: int, first_page_id: int) -> pl.DataFrame:
    """Links between pages of one target site, from its own host and from its second (sub)domain host."""
    start = until - np.timedelta64(HISTORY_DAYS, "D")
    width = int((until - start).astype(np.int64))
    rows: list[dict[str, object]] = []
    for t, site in enumerate(targets):
        pages = tpages[t]
        for k in range(max(12, site.n_pages // 2)):
            sub = p.random() < 0.3
            shost = to_ascii_host(site.internal_host) if sub else site.ascii_host
            spath = (f"/{p.words(WORDS['de' if site.lang == 'de' else 'en'], 3, '-')}-{k}/" if sub
                     else pages[1 + p.index(len(pages) - 1)])
            tpath = pages[p.index(min(len(pages), 25))]
            if shost == site.ascii_host and spath == tpath:
                continue
            first = start + np.timedelta64(int(p.random() ** 0.5 * width), "s")
            rows.append({
                "source_url": f"https://{shost}{spath}", "target_url": f"https://{site.ascii_host}{tpath}",
                "source_scheme": "https", "source_host": shost, "source_path": spath,
                "source_host_unicode": to_unicode_host(shost),
                "source_domain": site.ascii_domain, "source_domain_icann": site.ascii_domain,
                "source_is_ip": False, "target": site.ascii_domain, "target_host": site.ascii_host,
                "target_host_unicode": site.host, "target_path": tpath,
                "anchor": p.pick(_NAV_ANCHORS).format(brand=site.brand, kw=p.pick(site.keywords)),
                "anchor_kind": "other", "nofollow": False, "ugc": False, "sponsored": False,
                "link_type": "text", "is_internal": True, "is_sitewide": False, "is_network": False,
                "first_seen": first.astype(datetime), "lost_at": None, "lost_reason": None,
                "lost_token": None, "restored_at": None, "new_reason": "pagefound", "domain_id": -1 - t,
                "page_id": first_page_id + len(rows),
                "page_title": f"{site.brand} – {spath.strip('/').split('/')[-1] or 'Home'}",
                "placement": "content",
                **{f"_crawl_lag_{j}": timedelta(days=3.0 * p.random() + 0.1) for j in range(n_snapshots)},
            })
    return pl.DataFrame(rows).with_columns(
        pl.col("first_seen", "lost_at", "restored_at").cast(pl.Datetime("us")),
        pl.col("lost_reason", "lost_token").cast(pl.String),
        pl.col(*[f"_crawl_lag_{j}" for j in range(n_snapshots)]).cast(pl.Duration("us")),
    ).unique(["source_url", "target_url"], keep="first", maintain_order=True)


def _domain_frame(dom: _Domains) -> pl.DataFrame:
    return pl.DataFrame({
        "domain_id": np.arange(len(dom.kind), dtype=np.int64),
        "kind": dom.kind.tolist(),
        "domain": [to_ascii_host(d) for d in dom.domain],
        "domain_unicode": dom.domain,
        "domain_icann": [to_ascii_host(d) for d in dom.domain_icann],
        "host": [to_ascii_host(h) for h in dom.host],
        "host_unicode": dom.host,
        "scheme": dom.scheme,
        "lang": dom.lang,
        "country": dom.country,
        "platform": dom.platform,
        "ip": dom.ip,
        "subnet_24": [ip.rsplit(".", 1)[0] for ip in dom.ip],
        "isp": dom.isp,
        "authority": dom.authority,
        "link_pages": dom.n_link_pages.astype(np.int64),
        "site_pages": dom.site_pages.astype(np.int64),
        "first_seen": dom.first_seen.astype("datetime64[us]"),
        "nxdomain_at": dom.nxdomain_at.astype("datetime64[us]"),
        "all_nofollow": dom.all_nofollow,
    })
