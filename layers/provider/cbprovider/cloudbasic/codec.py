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

from cbprovider.errors import ApiError, ResponseFormatError, unexpected_answer
from cbprovider.nesting import MAX_ANSWER_DEPTH, deeper_than

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


JSON_NAMES = {
    # PascalCase even in the vendor's JSON samples.
    "RebuildDbReplicaIndexesSchedule": "RebuildDbReplicaIndexesSchedule",
}


def camel(name: str) -> str:
    return JSON_NAMES.get(name, name[:1].lower() + name[1:])


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


_TOO_DEEP = f"nested more than {MAX_ANSWER_DEPTH} levels deep"


def _xml_deeper_than(root: Element, limit: int) -> bool:
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


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
    if _xml_deeper_than(root, MAX_ANSWER_DEPTH):
        raise _Unreadable(_TOO_DEEP)
    return _local(root.tag), _element_value(root)


def _parse(body: bytes) -> tuple[str | None, Any]:
    """``(XML root name or None for JSON, value)``, chosen by the first non-blank byte.

    Recursion and memory errors (a body nested thousands deep) become ``_Unreadable``, never a crash.
    """
    try:
        return _parse_any(body)
    except (RecursionError, MemoryError):
        raise _Unreadable("too large or nested too deeply") from None


def _parse_any(body: bytes) -> tuple[str | None, Any]:
    text = body.lstrip()
    if text[:1] == b"<":
        return _parse_xml(text)
    if text[:1] in (b"{", b"["):
        try:
            value = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            raise _Unreadable("malformed JSON") from None
        if deeper_than(value, MAX_ANSWER_DEPTH):
            raise _Unreadable(_TOO_DEEP)
        return None, value
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


MAX_MESSAGES = 5
MAX_MESSAGE = 300


def _text(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text[:MAX_MESSAGE] if text else None
    return None


def _documented_message(item: Any) -> str | None:
    """One documented error entry: a string, or an object with ``message`` (and ``code``)."""
    if isinstance(item, Mapping):
        message, code = _text(item.get("message")), _text(item.get("code"))
        if message and code:
            return f"{code}: {message}"
        return message or code
    return _text(item)


def _messages(fields: Mapping[str, Any], *, error_response: bool) -> list[str]:
    """The messages of the documented error shapes only: JSON ``errors`` (strings or objects with
    ``message``/``code``), XML ``ErrorResponse`` with ``Errors/Error`` elements (text, or ``Message`` and
    ``Code`` children) or an AWS-style ``Error`` element. Nothing else of the body is taken."""
    found: list[Any] = []
    errors = fields.get("errors")
    if isinstance(errors, Mapping) and error_response:
        errors = errors.get("error")
    if isinstance(errors, list):
        found.extend(errors)
    elif errors is not None:
        found.append(errors)
    if error_response:
        if fields.get("error") is not None:
            found.append(fields.get("error"))
        if fields.get("message") is not None:
            found.append({"message": fields.get("message"), "code": fields.get("code")})
    messages = [m for m in (_documented_message(item) for item in found[:MAX_MESSAGES]) if m]
    return messages


def decode_error(action: str, status: int, body: bytes, content_type: str | None = None) -> ApiError:
    """The ``ApiError`` for a non-2xx answer: XML ``ErrorResponse`` or JSON ``{errors, requestId}``.

    An answer of any other shape (a proxy's HTML page, an internal service's JSON) is described by its
    status, content type and size only: its body is never quoted.
    """
    unexpected = [unexpected_answer(status, content_type, len(body))]
    try:
        root, value = _parse(body)
    except (_Forbidden, _Unreadable):
        # Nothing was expanded; keep the HTTP status (a proxy's HTML page starts with <!DOCTYPE html>).
        return ApiError(service=SERVICE, operation=action, status=status, messages=unexpected)
    if not isinstance(value, dict):
        return ApiError(service=SERVICE, operation=action, status=status, messages=unexpected)
    fields = _normalise(value)
    # <ErrorResponse> and the API index page's <Error><RequestId/><Message/></Error> are documented shapes.
    messages = _messages(
        fields, error_response=root is not None and root.lower() in ("errorresponse", "error")
    )
    if not messages:
        return ApiError(service=SERVICE, operation=action, status=status, messages=unexpected)
    request_id = _text(fields.get("requestId"))
    return ApiError(
        service=SERVICE,
        operation=action,
        status=status,
        messages=messages,
        request_id=request_id[:100] if request_id else None,
    )
