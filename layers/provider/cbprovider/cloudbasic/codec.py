"""Request encoding and response decoding for the CloudBasic API (JSON or XML, chosen per client).

Requests: JSON is the bare parameter object with camelCase keys (the vendor sample lower-cases the first
letter of every key); XML is ``<Action>Request`` with PascalCase children, nested objects as nested
elements and lists as repeated elements named after the key. ``None`` values are left out (the server
then applies its default).

Responses are decoded into plain dicts whose keys start lower-case (``ReplicationId`` and
``replicationId`` both become ``replicationId``); XML leaves stay strings, which the models coerce. A
container whose children all carry its singular name (``Replications/Replication``) becomes a list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from cbprovider.errors import ApiError, ResponseFormatError

SERVICE = "CloudBasic"
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"

XML_NAMES = {
    # The docs spell these XML elements differently from the PascalCase of their JSON keys.
    "username": "UserName",
    "firstName": "Firstname",
    "lastName": "Lastname",
    # Lower camel even in the documented XML samples.
    "skipExisting": "skipExisting",
    "ignoreDbDependencies": "ignoreDbDependencies",
    "agreeToEula": "agreeToEula",
    "isVolumeActivationKey": "isVolumeActivationKey",
    "agreeToVolumeEula": "agreeToVolumeEula",
}


def camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def pascal(name: str) -> str:
    return XML_NAMES.get(name, name[:1].upper() + name[1:])


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {camel(str(k)): _json_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def _xml_fill(parent: Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _xml_fill(parent, name, item)
        return
    child = SubElement(parent, pascal(name))
    if isinstance(value, Mapping):
        for key, item in value.items():
            _xml_fill(child, str(key), item)
    else:
        child.text = _scalar_text(value)


def encode_request(action: str, body: Mapping[str, Any] | None, *, xml: bool) -> tuple[bytes, str]:
    """``(body bytes, content type)`` for ``action``; no parameters give an empty JSON object or root."""
    if not xml:
        return json.dumps(_json_value(body or {}), separators=(",", ":")).encode(), JSON_TYPE
    root = Element(f"{action}Request")
    for key, value in (body or {}).items():
        _xml_fill(root, str(key), value)
    return tostring(root, encoding="utf-8", xml_declaration=True), XML_TYPE


# -- decoding -----------------------------------------------------------------------------------------
class _Unreadable(Exception):
    """The body is neither JSON nor XML (or not the shape either format must have)."""


class _Forbidden(Exception):
    """The XML declares entities or a DTD: refused, never expanded."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _normalise(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {camel(str(k)): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _element_value(element: Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    names = [_local(child.tag) for child in children]
    if len(set(names)) == 1 and _local(element.tag).lower() == names[0].lower() + "s":
        return [_element_value(child) for child in children]
    result: dict[str, Any] = {}
    for name, child in zip(names, children, strict=True):
        value = _element_value(child)
        key = camel(name)
        if key in result:
            previous = result[key]
            result[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[key] = value
    return result


def _parse_xml(body: bytes) -> tuple[str, Any]:
    """``(root name, value)`` of an XML document, refusing DTDs and entities."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _Forbidden(type(exc).__name__) from None
    except ParseError:
        raise _Unreadable("malformed XML") from None
    return _local(root.tag), _element_value(root)


def _parse(body: bytes) -> tuple[str | None, Any]:
    """``(XML root name or None for JSON, value)``, chosen by the first non-blank byte."""
    text = body.lstrip()
    if text[:1] == b"<":
        return _parse_xml(text)
    if text[:1] in (b"{", b"["):
        try:
            return None, json.loads(text)
        except (ValueError, UnicodeDecodeError):
            raise _Unreadable("malformed JSON") from None
    raise _Unreadable("neither JSON nor XML")


def decode_response(action: str, body: bytes) -> dict[str, Any]:
    """The parameters of a 2xx answer (``{}`` for an empty body, as several actions send)."""
    if not body.strip():
        return {}
    try:
        root, value = _parse(body)
    except (_Unreadable, _Forbidden) as exc:
        raise ResponseFormatError(service=SERVICE, operation=action, reason=str(exc)) from None
    if root is not None and isinstance(value, str):
        return {}
    if not isinstance(value, dict):
        raise ResponseFormatError(service=SERVICE, operation=action, reason="the response is not an object")
    return dict(_normalise(value))


def _messages(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    if isinstance(value, Mapping):
        return [m for item in value.values() for m in _messages(item)]
    text = str(value).strip()
    return [text] if text else []


def _garbage_summary(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    if not text:
        return "empty error response"
    return "unreadable error response: " + (text[:120] + "..." if len(text) > 120 else text)


def decode_error(action: str, status: int, body: bytes) -> ApiError:
    """The ``ApiError`` for a non-2xx answer: XML ``ErrorResponse`` or JSON ``{errors, requestId}``."""
    try:
        _, value = _parse(body)
    except _Forbidden as exc:
        # Nothing was expanded; keep the HTTP status (a proxy's HTML page starts with <!DOCTYPE html>).
        return ApiError(
            service=SERVICE, operation=action, status=status, messages=[f"unreadable error response ({exc})"]
        )
    except _Unreadable:
        return ApiError(service=SERVICE, operation=action, status=status, messages=[_garbage_summary(body)])
    if not isinstance(value, dict):
        return ApiError(service=SERVICE, operation=action, status=status, messages=[_garbage_summary(body)])
    fields = _normalise(value)
    messages = _messages(fields.get("errors", fields.get("error", fields.get("message"))))
    if not messages:
        # Not the documented error shape (e.g. a proxy's HTML page): report what it said, briefly.
        messages = [_garbage_summary(body)]
    request_id = fields.get("requestId")
    return ApiError(
        service=SERVICE,
        operation=action,
        status=status,
        messages=messages,
        request_id=str(request_id) if request_id not in (None, "") else None,
    )
