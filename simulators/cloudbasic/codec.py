"""Request bodies in, response bodies out, in JSON or XML as the caller used.

Format choice (assumption C8 in docs/simulators.md): the body is parsed by sniffing its first non-blank
byte (``<`` XML, ``{`` JSON), whatever the Content-Type says, because the vendor's PowerShell sample
labels JSON as XML.
The answer uses the request's declared Content-Type when it names JSON or XML; without one, an ``Accept``
naming exactly one of them, else the sniffed body format, else XML (the documented default).

XML requests: any root element name (assumption C11), children read by name, repeated children become
lists, namespaces ignored. Parsing goes through defusedxml, so DTDs and entity declarations are refused
(a 400), never expanded. XML answers: root ``<Action>Response``, PascalCase elements, lists as repeated
singular elements (``Replications/Replication``), multi-line text in CDATA. JSON answers: camelCase keys.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from simulators.cloudbasic.dialect import Dialect
from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.params import Params
from simulators.server import Request, Response


class Format(Enum):
    JSON = "application/json"
    XML = "application/xml"


def _declared(value: str) -> Format | None:
    value = value.lower()
    if "json" in value:
        return Format.JSON
    if "xml" in value:
        return Format.XML
    return None


def _sniff(body: bytes) -> Format | None:
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return Format.XML
    if stripped.startswith((b"{", b"[")):
        return Format.JSON
    return None


def answer_format(request: Request) -> Format:
    declared = _declared(request.headers.get("content-type", ""))
    if declared is not None:
        return declared
    accept = request.headers.get("accept", "").lower()
    if ("json" in accept) != ("xml" in accept):
        return Format.JSON if "json" in accept else Format.XML
    return _sniff(request.body) or Format.XML


def parse_body(request: Request) -> Params:
    body = request.body
    if not body.strip():
        return Params({})
    sniffed = _sniff(body) or _declared(request.headers.get("content-type", ""))
    if sniffed is Format.XML:
        return Params(_parse_xml(body), xml=True)
    if sniffed is Format.JSON:
        return Params(_parse_json(body))
    raise ApiFault("the request body is neither JSON nor XML")


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiFault(f"malformed JSON body: {exc}") from None
    if not isinstance(data, dict):
        raise ApiFault("the JSON body must be an object")
    result: dict[str, Any] = _lower_keys(data)
    return result


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _element_value(element: Element) -> Any:
    children = list(element)
    if not children:
        if any(_local(k) == "nil" and v.lower() == "true" for k, v in element.attrib.items()):
            return None
        return (element.text or "").strip()
    result: dict[str, Any] = {}
    for child in children:
        name = _local(child.tag)
        value = _element_value(child)
        if name in result:
            existing = result[name]
            result[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            result[name] = value
    return result


def _parse_xml(body: bytes) -> dict[str, Any]:
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise ApiFault("XML bodies with a DTD or entity declarations are not accepted") from None
    except ParseError as exc:
        raise ApiFault(f"malformed XML body: {exc}") from None
    value = _element_value(root)
    return value if isinstance(value, dict) else {}


# -- answers ---------------------------------------------------------------------------------------------
def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and len(name) > 1 else f"{name}Item"


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if "\n" in text:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return escape(text)


def _xml_element(name: str, value: Any) -> str:
    tag = name[:1].upper() + name[1:]
    if value is None:
        return f"<{tag} />"
    if isinstance(value, dict):
        inner = "".join(_xml_element(k, v) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        item = _singular(name)
        return f"<{tag}>{''.join(_xml_element(item, v) for v in value)}</{tag}>"
    return f"<{tag}>{_xml_text(value)}</{tag}>"


def _pascal_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal_keys(v) for v in value]
    return value


def encode(
    fmt: Format, root: str, payload: dict[str, Any], status: int = 200, *, pascal_json: bool = False
) -> Response:
    """``payload`` has camelCase keys; XML (and JSON with ``pascal_json``) gets them PascalCased."""
    if fmt is Format.JSON:
        body = json.dumps(_pascal_keys(payload) if pascal_json else payload).encode()
    else:
        body = ('<?xml version="1.0" encoding="utf-8"?>' + _xml_element(root, payload)).encode()
    return Response(status, body, {"Content-Type": f"{fmt.value}; charset=utf-8"})


def success(
    fmt: Format, action: str, payload: dict[str, Any] | None, dialect: Dialect | None = None
) -> Response:
    """200 with ``<Action>Response`` or, for actions documented with no response, an empty body."""
    if payload is None:
        return Response(200)
    pascal_json = dialect is not None and dialect.json_case == "pascal"
    return encode(fmt, f"{action}Response", payload, pascal_json=pascal_json)


def error(
    fmt: Format, status: int, messages: list[str], request_id: int, dialect: Dialect | None = None
) -> Response:
    """The documented error shape: XML ``ErrorResponse{RequestId, Errors/Error*}``, JSON ``errors``; or the
    ``Error{RequestId, Message}`` variant, always XML (see ``Dialect``)."""
    dialect = dialect or Dialect()
    if dialect.errors == "message":
        payload = {"requestId": request_id, "message": "; ".join(messages)}
        return encode(Format.XML, "Error", payload, status)
    if fmt is Format.JSON and not dialect.xml_errors:
        payload = {"errors": messages, "requestId": request_id}
        return encode(fmt, "ErrorResponse", payload, status, pascal_json=dialect.json_case == "pascal")
    return encode(Format.XML, "ErrorResponse", {"requestId": request_id, "errors": messages}, status)
