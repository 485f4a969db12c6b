"""Loading an uploaded file as XML without letting the file act on the server.

lxml is used (it is what SpiffWorkflow parses with), but its defaults are not
relied on: the size is limited *before* parsing, any DOCTYPE is refused
outright (no DTD means no entity, no external entity and no billion laughs,
and no process owner needs one), the network is off and huge trees are off.
The root must be BPMN or DMN ``definitions`` so that nothing else reaches the
deeper checks.
"""

from __future__ import annotations

import os
import re

from lxml import etree

from .namespaces import BPMN, DMN_NAMESPACES, tag

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES
"""Largest upload accepted; ``CIIFLOW_MAX_FILE_BYTES`` overrides it at call time."""

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOTS = {tag(BPMN, "definitions"): "BPMN"} | {
    tag(ns, "definitions"): "DMN" for ns in DMN_NAMESPACES
}


class UnsafeFile(ValueError):
    """A file refused before any check runs on it; the message is one line for the owner."""


def max_file_bytes() -> int:
    """Read the limit on every call so an operator can change it without a code change."""
    raw = os.environ.get("CIIFLOW_MAX_FILE_BYTES")
    if raw:
        try:
            value = int(raw)
        except ValueError:
            return MAX_FILE_BYTES
        if value > 0:
            return value
    return MAX_FILE_BYTES


def safe_parser() -> etree.XMLParser:
    """The one lxml configuration every reader of BPMN and DMN uses (lint, deploy, DMN,
    forms): no entities, no DTD, no network, no huge trees; comments and processing
    instructions are dropped because no reader has a use for them.

    A fresh parser per call: lxml parsers are not thread-safe.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes | str) -> etree._Element:
    """Parse a file already accepted by `load_xml` (a stored definition's resource)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return etree.fromstring(data, parser=safe_parser())


def load_xml(data: bytes, filename: str) -> etree._Element:
    """Parse ``data`` or raise UnsafeFile saying why, in one line.

    The byte scan for ``<!DOCTYPE`` catches the usual case before libxml2
    sees the file; the check of the parsed document catches encodings (UTF-16)
    that hide the keyword from a byte scan.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    limit = max_file_bytes()
    if len(data) > limit:
        raise UnsafeFile(
            f"file is {len(data)} bytes, more than the limit of {limit} bytes"
        )
    if not data.strip():
        raise UnsafeFile("file is empty, not XML")
    if _DOCTYPE.search(data):
        raise UnsafeFile(
            "a DOCTYPE or ENTITY declaration is refused "
            "(entities can read server files or expand without end); "
            "save the file again from Camunda Modeler"
        )
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not well-formed"
        raise UnsafeFile(f"not well-formed XML: {reason}") from None
    except ValueError as exc:  # e.g. unsupported encoding declarations
        raise UnsafeFile(f"not readable as XML: {exc}") from None
    if root is None:
        raise UnsafeFile("not XML")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeFile("a DOCTYPE declaration is refused")
    if not isinstance(root.tag, str) or root.tag not in _ROOTS:
        found = root.tag if isinstance(root.tag, str) else "no element"
        raise UnsafeFile(
            f"root element is {found}, not BPMN 2.0 or DMN 1.1-1.5 'definitions'"
        )
    return root


def kind_of(root: etree._Element) -> str:
    """'BPMN' or 'DMN', for a root that load_xml accepted."""
    return _ROOTS[root.tag]
