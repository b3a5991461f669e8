"""A small HTML reader for the public-page tests (Python's html.parser, no extra packages).

``parse(html)`` returns a ``Document`` with the facts the tests check: the language, the
headings in order, landmarks, form controls and their labels, ids, links, meta tags and
the JSON-LD blocks.
"""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
SECTIONING = {"article", "aside", "main", "nav", "section"}


@dataclass
class Element:
    tag: str
    attrs: dict
    ancestors: list
    text: str = ""


@dataclass
class Document:
    lang: str = ""
    title: str = ""
    elements: list = field(default_factory=list)
    headings: list = field(default_factory=list)  # (level, text)
    scripts: list = field(default_factory=list)  # (type, text)
    main_text: str = ""

    def find(self, tag, **attrs):
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def meta(self, name=None, prop=None):
        for e in self.find("meta"):
            if name and e.attrs.get("name") == name:
                return e.attrs.get("content")
            if prop and e.attrs.get("property") == prop:
                return e.attrs.get("content")
        return None

    @property
    def canonical(self):
        links = [e for e in self.find("link") if e.attrs.get("rel") == "canonical"]
        return links[0].attrs.get("href") if links else None

    @property
    def json_ld(self):
        return [json.loads(text) for kind, text in self.scripts if kind == "application/ld+json"]

    @property
    def ids(self):
        return [e.attrs["id"] for e in self.elements if "id" in e.attrs]

    def top_level(self, tag):
        """Elements that are landmarks: header/footer not inside sectioning content."""
        return [e for e in self.find(tag) if not (set(e.ancestors) & SECTIONING)]

    def links(self):
        return [e.attrs.get("href") for e in self.find("a")]

    def text_of(self, tag, **attrs):
        return [e.text.strip() for e in self.find(tag, **attrs)]


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.doc = Document()
        self.stack: list[Element] = []
        self.in_main = 0
        self.main_parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        element = Element(tag, attrs, [e.tag for e in self.stack])
        self.doc.elements.append(element)
        if tag == "html":
            self.doc.lang = attrs.get("lang", "")
        if tag == "main":
            self.in_main += 1
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            element = self.stack.pop()
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                self.doc.headings.append((int(element.tag[1]), " ".join(element.text.split())))
            if element.tag == "script":
                self.doc.scripts.append((element.attrs.get("type", ""), element.text))
            if element.tag == "title":
                self.doc.title = element.text.strip()
            if element.tag == "main":
                self.in_main -= 1
            if self.stack and element.tag not in {"script", "style"}:
                self.stack[-1].text += element.text
            if element.tag == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1].text += data
        if self.in_main:
            self.main_parts.append(data)


def parse(html: str) -> Document:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.doc.main_text = " ".join("".join(reader.main_parts).split())
    return reader.doc


def page(client, url, status=200):
    """GET the URL, check the status and return (response, Document)."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response, parse(response.content.decode())
