"""XSS (and spreadsheet / terminal) payloads for the report outputs.

Every payload carries its number ``n`` so a test can tell WHICH one got through:

* a payload that runs script appends ``XSS-<n>.`` to ``document.title``. The marker is built
  at run time (``'XS'+'S-<n>.'``), so the payload's own text never contains ``XSS-<n>``: the
  contiguous marker appears in a page only if the payload *executed*;
* a payload that would inject markup gives its element the id ``xss-<n>`` (or names it in an
  attribute), so an element or attribute with that id means markup got through;
* a payload that would make the page load something asks for ``http://127.0.0.1:47931/xss-<n>``
  (nothing listens there; the browser's net-log shows the attempt).

Families: script, event handlers (img/svg/body/details/video/audio/input/marquee), URL schemes
(``javascript:`` in several spellings, ``data:text/html``, ``vbscript:``), attribute breakouts,
template injection (Jinja2, JS template literals, AngularJS), CSS, raw-text breakouts
(``</style>``, ``</textarea>``, ``</title>``, ``</script>``, ``</pre>``), SVG, mutation XSS,
comments/CDATA, document-level tags (meta refresh, base, link, object, embed, form), Unicode
tricks (bidi overrides, zero-width, full-width, line separators), NUL and control bytes, a
very long string, CSV formula injection and terminal markup (rich tags, ANSI/OSC escapes).
"""

from __future__ import annotations

from dataclasses import dataclass

NET_HOST = "127.0.0.1:47931"
LONG_LEN = 3000


@dataclass(frozen=True)
class Payload:
    n: int
    family: str
    text: str

    @property
    def marker(self) -> str:
        """What ``document.title`` gains if this payload's script ran."""
        return f"XSS-{self.n}."

    @property
    def element_id(self) -> str:
        """The id an element injected by this payload carries."""
        return f"xss-{self.n}"

    @property
    def url(self) -> str:
        return f"http://{NET_HOST}/xss-{self.n}"


# (family, template). In a template: {JS} is a script statement using single quotes, {JSQ}
# the same with double quotes, {ID} the element id, {URL} the logged URL, {N} the number.
_TEMPLATES: tuple[tuple[str, str], ...] = (
    # classic script
    ("script", "<script>{JS}</script>"),
    ("script", "<SCRIPT>{JS}</SCRIPT>"),
    ("script", '<script src="{URL}.js"></script>'),
    ("script", "<scr<script>ipt>{JS}</scr</script>ipt>"),
    # event handlers
    ("handler", '<img src=x id={ID} onerror="{JS}">'),
    ("handler", "<img src=x id={ID} onerror={JS}//>"),
    ("handler", '<svg id={ID} onload="{JS}">'),
    ("handler", "<svg/onload={JS} id={ID}>"),
    ("handler", '<body onload="{JS}" id={ID}>'),
    ("handler", '<details open id={ID} ontoggle="{JS}"><summary>x</summary></details>'),
    ("handler", '<video id={ID}><source onerror="{JS}"></video>'),
    ("handler", '<audio src=x id={ID} onerror="{JS}"></audio>'),
    ("handler", '<input id={ID} autofocus onfocus="{JS}">'),
    ("handler", '<marquee id={ID} onstart="{JS}">x</marquee>'),
    ("handler", '<iframe id={ID} srcdoc="<script>parent.{JS}</script>"></iframe>'),
    ("handler", '<x id={ID} onpointerover="{JS}" style="display:block;width:9999px;'
                'height:9999px">'),
    # URL schemes (as a whole field value: links, sources, URLs in the case file)
    ("url", "javascript:{JS}//"),
    ("url", "JaVaScRiPt:{JS}//"),
    ("url", "javascript&#58;{JS}//"),
    ("url", "&#x6A;avascript:{JS}//"),
    ("url", " \tjava\nscript:{JS}//"),
    ("url", "data:text/html,<script>{JS}</script>"),
    ("url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#{ID}"),
    ("url", 'vbscript:msgbox("{ID}")'),
    ("url", '<a id={ID} href="javascript:{JS}">click</a>'),
    ("url", "<iframe id={ID} src=\"javascript:parent.{JS}\"></iframe>"),
    # attribute breakouts
    ("attribute", '"><svg id={ID} onload="{JS}">'),
    ("attribute", "'><img src=x id={ID} onerror=\"{JS}\">"),
    ("attribute", '" autofocus onfocus="{JS}" id="{ID}'),
    ("attribute", "' onmouseover='{JSQ}' id='{ID}"),
    ("attribute", '`><img src=x id={ID} onerror="{JS}">'),
    # template injection
    ("template", "{{7*7}}{{'XS'+'S-{N}.'}}"),
    ("template", "${'XS'+'S-{N}.'}${7*7}"),
    ("template", "{% print('XS'+'S-{N}.') %}{{ config }}"),
    ("template", "{{constructor.constructor('{JSQ}')()}}"),
    ("template", "#{'XS'+'S-{N}.'}<%= 7*7 %>"),
    # CSS
    ("css", '<div id={ID} style="width:expression({JS})">x</div>'),
    ("css", "</style><script>{JS}</script>"),
    ("css", "</style><style>body{background:url({URL}.png)}</style>"),
    ("css", '<p id={ID} style="background-image:url(\'{URL}.png\')">x</p>'),
    # raw-text and element breakouts
    ("breakout", "</textarea><script>{JS}</script>"),
    ("breakout", "</title><script>{JS}</script>"),
    ("breakout", "</script><script>{JS}</script>"),
    ("breakout", '";{JS};//</script><script>{JS}</script>'),
    ("breakout", "</pre><img src=x id={ID} onerror=\"{JS}\">"),
    ("breakout", "</td></tr></table><img src=x id={ID} onerror=\"{JS}\">"),
    ("breakout", "</option></select><img src=x id={ID} onerror=\"{JS}\">"),
    ("breakout", "<plaintext id={ID}>"),
    ("breakout", "--><img src=x id={ID} onerror=\"{JS}\"><!--"),
    ("breakout", "<!--"),
    ("breakout", "<![CDATA[<]]><img src=x id={ID} onerror=\"{JS}\">"),
    # SVG
    ("svg", "<svg><foreignObject><img src=x id={ID} onerror=\"{JS}\"></foreignObject></svg>"),
    ("svg", "<svg><script>{JS}</script></svg>"),
    ("svg", "<svg><animate id={ID} onbegin=\"{JS}\" attributeName=x dur=1s></svg>"),
    ("svg", "<svg><a xlink:href=\"javascript:{JS}\"><text id={ID} x=20 y=20>x</text></a></svg>"),
    ("svg", "<svg><image href=\"{URL}.svg\" id={ID}></image></svg>"),
    # mutation XSS
    ("mxss", "<noscript><p title=\"</noscript><img src=x id={ID} onerror={JS}>\">"),
    ("mxss", "<math><mtext><table><mglyph><style><img src=x id={ID} onerror=\"{JS}\">"),
    ("mxss", "<svg></p><style><a id=\"</style><img src=x id={ID} onerror={JS}>\">"),
    ("mxss", "<form><math><mtext></form><form><mglyph><svg><mtext><style><path id=\"</style>"
             "<img id={ID} onerror={JS} src=x>\">"),
    # document-level tags
    ("document", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{JS}\">"),
    ("document", "<base href=\"{URL}/\">"),
    ("document", "<link rel=stylesheet href=\"{URL}.css\">"),
    ("document", "<object id={ID} data=\"javascript:{JS}\"></object>"),
    ("document", "<embed id={ID} src=\"{URL}.swf\">"),
    ("document", "<form id={ID} action=\"javascript:{JS}\"><button>go</button></form>"),
    ("document", "<img id={ID} srcset=\"{URL}.png 1x\">"),
    # entities: shown as written, never decoded twice
    ("entity", "&lt;script&gt;{JS}&lt;/script&gt; &amp;lt; &#x3C;b id={ID}&#x3E;"),
    ("entity", "%3Cscript%3E{JS}%3C%2Fscript%3E \\u003cimg id={ID}\\u003e"),
    # unicode tricks
    ("unicode", "\u202e<img src=x id={ID} onerror=\"{JS}\">gpj.exe"),
    ("unicode", "\u200b<\u200bscript\u200b>{JS}</script>\ufeff\u2066{ID}\u2069"),
    ("unicode", "\uff1cscript\uff1e{JS}\uff1c/script\uff1e {ID}"),
    ("unicode", "line\u2028sep\u2029para</script><script>{JS}</script>"),
    ("unicode", "é👍🏽 Ω ⚠\u0301 日本語 <b id={ID}>bold</b>"),
    # NUL and control bytes
    ("control", "<scr\x00ipt>{JS}</scr\x00ipt><img src=x\x00 id={ID} onerror=\"{JS}\">"),
    ("control", "java\x00script:{JS}//\x07\x08\x7f"),
    # CSV formula injection (OWASP), with bypass attempts
    ("csv", "=HYPERLINK(\"{URL}\",\"click\")"),
    ("csv", "=cmd|' /C calc'!A0 {ID}"),
    ("csv", "+cmd|' /C calc'!A0 {ID}"),
    ("csv", "-2+3+cmd|' /C calc'!A0 {ID}"),
    ("csv", "@SUM(1+9)*cmd|' /C calc'!A0 {ID}"),
    ("csv", "\t=1+1 {ID}"),
    ("csv", " =1+1 {ID}"),
    ("csv", "\uff1d1+1 {ID}"),
    # terminal markup (rich) and escape sequences
    ("terminal", "[bold red]{ID}[/bold red] [/]"),
    ("terminal", "[link=javascript:{JS}]click {ID}[/link]"),
    ("terminal", "\x1b]8;;{URL}\x1b\\click\x1b]8;;\x1b\\ \x1b[2J\x1b[31m{ID}\x1b[0m"),
    ("terminal", "\x1b]0;{ID}\x07\r\x1b[1A\x1b[Kfake line"),
)


def _render(template: str, n: int) -> str:
    js = f"document.title+='XS'+'S-{n}.'"
    jsq = f'document.title+="XS"+"S-{n}."'
    return (template.replace("{JSQ}", jsq).replace("{JS}", js).replace("{ID}", f"xss-{n}")
            .replace("{URL}", f"http://{NET_HOST}/xss-{n}").replace("{N}", str(n)))


def _build() -> tuple[Payload, ...]:
    out = [Payload(i + 1, family, _render(t, i + 1)) for i, (family, t) in
           enumerate(_TEMPLATES)]
    n = len(out) + 1  # a very long string, with a payload at its very end
    tail = _render('<img src=x id={ID} onerror="{JS}">', n)
    out.append(Payload(n, "long", ("A" * (LONG_LEN - len(tail))) + tail))
    return tuple(out)


PAYLOADS: tuple[Payload, ...] = _build()
"""Every payload, numbered from 1."""

for _p in PAYLOADS:  # the marker is only ever *built* by script, never written out
    assert f"XSS-{_p.n}" not in _p.text, _p
assert len({p.text for p in PAYLOADS}) == len(PAYLOADS)
