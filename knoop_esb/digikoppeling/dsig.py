"""signxml's XMLSigner and XMLVerifier, resolving ``#Id`` references without copying the document.

signxml 5.2 serialises and re-parses the *whole* document, and searches it with an XPath over
every attribute, once per reference, on both sides. A WUS message has six or seven references
(Body, Timestamp, every WS-A header, SignatureConfirmation), so that copying was two thirds of the
node's signing and verifying time. These subclasses change only how signxml reaches the elements it
digests:

- the id index is built once per message with one XPath pass, with signxml's own semantics
  (``id_attributes`` in order, an attribute of that local name in any namespace, more than one
  element with the value → "Ambiguous reference");
- a detached signature is built and verified on the tree as given instead of on a copy. The copy
  exists in signxml so the enveloped-signature transform can cut the Signature out of the tree; a
  reference with that transform still takes signxml's own path, and the signer signs detached only;
- with a trusted certificate given, the verifier canonicalises SignedInfo where the Signature
  stands instead of on a serialised copy of it, reads the references from that SignedInfo once
  its canonical form has verified (instead of from a parse of those bytes: the same content),
  checks an RSA signature with the certificate's key parsed once, and spells out the
  certificate's subject for signxml's validity-period message only when that check fails;
- the signer signs parts handed over with their ids (``sign_elements``, no state kept between
  messages) or resolved once; SignedInfo without InclusiveNamespaces is a copy of one built
  element for element per shape;
- a referenced element is canonicalised where it stands. signxml serialises and re-parses each one
  first so that no namespace of its ancestors leaks in or gets lost; lxml canonicalises an element
  under a stand-in root that carries exactly the namespaces in scope there, which is the same input
  without the round trip.

The signature value and every check stay signxml's, and so do the algorithms: canonicalisation
is lxml's C14N (signxml calls the same function; here without its per-call set-up for one
element), SHA-2 digests come from hashlib (the same bytes as signxml's cryptography Hash). The
equivalence is tested against the stock classes in ``tests/test_dsig.py``: byte-identical
signatures, and the same verdict on valid and tampered messages, with and without
InclusiveNamespaces.
"""
from __future__ import annotations

import copy
import hashlib
from base64 import b64decode, b64encode
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from importlib.metadata import version

import cryptography.exceptions
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree
from signxml import (
    CanonicalizationMethod, DigestAlgorithm, InvalidDigest, InvalidInput, InvalidSignature, SignatureConfiguration,
    SignatureConstructionMethod, SignatureMethod, XMLSigner, XMLVerifier,
)
from signxml.algorithms import digest_algorithm_implementations
from signxml.signer import SignatureReference
from signxml.util import ec_tag, namespaces
from signxml.verifier import VerifyResult

__all__ = ["IdIndex", "WsuSigner", "WsuVerifier"]

# The overridden methods mirror signxml 5.2's private ones; a newer signxml must be re-checked
# against tests/test_dsig.py before this pin moves.
SIGNXML_VERSION = "5.2"
if not version("signxml").startswith(f"{SIGNXML_VERSION}."):  # pragma: no cover - guarded by the pin
    raise ImportError(f"knoop_esb.digikoppeling.dsig mirrors signxml {SIGNXML_VERSION}.x, found {version('signxml')}")

_ENVELOPED = SignatureConstructionMethod.enveloped.value
_C14N = {method.value: method for method in CanonicalizationMethod}
_DS = namespaces.ds  # signxml's namespaces object resolves attributes through __getattr__
_DSIG11 = namespaces.dsig11


def _first_children(element: etree._Element, *tags: str) -> list[etree._Element | None]:
    """Per Clark tag the first child carrying it, or None: what ``element.find(tag)`` returns for
    each, in one pass over the children instead of one ElementPath search per tag."""
    found: list[etree._Element | None] = [None] * len(tags)
    for child in element:
        tag = child.tag
        for n, wanted in enumerate(tags):
            if tag == wanted and found[n] is None:
                found[n] = child
                break
    return found


@lru_cache(maxsize=8)
def _id_xpath(names: tuple[str, ...]) -> etree.XPath:
    return etree.XPath("//@*[" + " or ".join(f"local-name() = '{name}'" for name in names) + "]")


class IdIndex:
    """Every element carrying an id attribute (of one of ``names``, in any namespace), by value,
    for one document root: one XPath pass, shared by the wrapping check of the WS-Security
    verifier (:meth:`duplicates`) and the reference resolution of :class:`WsuVerifier`."""

    def __init__(self, root: etree._Element, names: tuple[str, ...] = ("Id", "ID", "id")):
        self.root = root
        self.names = frozenset(names)
        self._by_name: dict[str, dict[str, list[etree._Element]]] = {}
        self._attributes: Counter[str] = Counter()
        for attribute in _id_xpath(tuple(names))(root):
            value = str(attribute)
            self._attributes[value] += 1
            elements = self._by_name.setdefault(attribute.attrname.rpartition("}")[2], {}).setdefault(value, [])
            element = attribute.getparent()
            if not elements or elements[-1] is not element:  # wsu:Id and Id alike on one element: one node
                elements.append(element)

    def duplicates(self) -> list[str]:
        """Id values carried by more than one id attribute anywhere, sorted."""
        return sorted(value for value, count in self._attributes.items() if count > 1)

    def resolve(self, uri: str, id_attributes: tuple[str, ...]) -> etree._Element:
        """signxml's semantics: ``id_attributes`` in order, more than one element → ambiguous."""
        wanted = uri[1:]
        for name in id_attributes:
            elements = self._by_name.get(name, {}).get(wanted, [])
            if len(elements) > 1:
                raise InvalidInput(f"Ambiguous reference URI {uri} resolved to {len(elements)} nodes")
            if len(elements) == 1:
                return elements[0]
        raise InvalidInput(f"Unable to resolve reference URI: {uri}")


# Per c14n algorithm the two flags signxml's _c14n derives from its URI on every call.
_C14N_FLAGS = {method: (method.value.startswith("http://www.w3.org/2001/10/xml-exc-c14n#"),
                        method.value.endswith("#WithComments")) for method in CanonicalizationMethod}
# The SHA-2 digests in the standard library: the same bytes as cryptography's Hash, without
# building a hash context object per reference.
_EXC_C14N_METHOD = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
_EXC_C14N_FLAGS = _C14N_FLAGS[_EXC_C14N_METHOD]
_SHA256 = DigestAlgorithm.SHA256
_HASHLIB = {DigestAlgorithm.SHA224: hashlib.sha224, DigestAlgorithm.SHA256: hashlib.sha256,
            DigestAlgorithm.SHA384: hashlib.sha384, DigestAlgorithm.SHA512: hashlib.sha512}


class _IndexedReferences:
    """``get_root`` keeps a parsed document's root as it is; ``#Id`` references use an index;
    one element's c14n and a SHA-2 digest skip signxml's per-call set-up (same bytes)."""

    _index: IdIndex | None = None

    def _c14n(self, nodes, algorithm, inclusive_ns_prefixes=None):
        # An enum member hashes in Python: the one method WS-Security uses is recognised by identity.
        flags = _EXC_C14N_FLAGS if algorithm is _EXC_C14N_METHOD else _C14N_FLAGS.get(algorithm)
        if isinstance(nodes, list) or flags is None or not flags[0]:
            return super()._c14n(nodes, algorithm, inclusive_ns_prefixes=inclusive_ns_prefixes)
        return etree.tostring(nodes, method="c14n", exclusive=True, with_comments=flags[1],
                              inclusive_ns_prefixes=inclusive_ns_prefixes)

    def _get_digest(self, data, algorithm):
        digest = hashlib.sha256 if algorithm is _SHA256 else _HASHLIB.get(algorithm)
        return digest(data).digest() if digest is not None else super()._get_digest(data, algorithm)

    def get_root(self, data):
        if isinstance(data, etree._Element) and data.getparent() is None:
            return data
        return super().get_root(data)

    def _resolve_reference(self, doc_root, reference, uri_resolver=None):
        uri = reference.get("URI") or ""
        if not uri.startswith("#") or uri.startswith("#xpointer("):
            return super()._resolve_reference(doc_root, reference, uri_resolver=uri_resolver)
        if self._index is None or self._index.root is not doc_root or not self._index.names.issuperset(self.id_attributes):
            self._index = IdIndex(doc_root, tuple(self.id_attributes))
        return self._index.resolve(uri, tuple(self.id_attributes))


# ds: element names in Clark notation (verify.py checks the same elements).
SIGNED_INFO, SIGNATURE_VALUE, KEY_INFO = f"{{{_DS}}}SignedInfo", f"{{{_DS}}}SignatureValue", f"{{{_DS}}}KeyInfo"
C14N_METHOD, SIGNATURE_METHOD, REFERENCE = (
    f"{{{_DS}}}CanonicalizationMethod", f"{{{_DS}}}SignatureMethod", f"{{{_DS}}}Reference")
TRANSFORMS, TRANSFORM = f"{{{_DS}}}Transforms", f"{{{_DS}}}Transform"
DIGEST_METHOD, DIGEST_VALUE = f"{{{_DS}}}DigestMethod", f"{{{_DS}}}DigestValue"
# RSA PKCS#1 v1.5 signature methods and their hash: what signxml's _verify_signature_with_pubkey
# does for them, with the key parsed once per certificate.
_RSA_PKCS1 = {method.value: digest_algorithm_implementations[method]
              for method in SignatureMethod if method.name.startswith("RSA_")}
_PKCS1V15 = PKCS1v15()


@lru_cache(maxsize=256)
def _public_key(certificate: x509.Certificate):
    # signxml asks the certificate for its key twice per message; an afnemer's certificate repeats.
    return certificate.public_key()


@lru_cache(maxsize=8)
def _requiring_x509(config: SignatureConfiguration) -> SignatureConfiguration:
    # signxml derives this per verify call; the node verifies with one configuration per reference count.
    return replace(config, require_x509=True)


class WsuSigner(_IndexedReferences, XMLSigner):
    """signxml's XMLSigner for detached signatures only, the one kind WS-Security uses: it never
    changes the document (the Signature is returned and the caller places it), so the tree is
    used as it is."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.construction_method != SignatureConstructionMethod.detached:
            raise ValueError("WsuSigner signs detached only; use signxml's XMLSigner for other methods")

    def sign(self, data, **kwargs):
        self._index = None
        try:
            return super().sign(data, **kwargs)
        finally:
            # signxml's signer is a reference cycle (it lists its own bound methods as annotators):
            # without this the index, and through it the whole signed document, would wait for
            # the cycle collector.
            self._index = None

    def sign_elements(self, parts: list[tuple[str, etree._Element, list[str]]], *, key, key_info) -> etree._Element:
        """A detached RSA PKCS#1 v1.5 signature over ``parts``: (id, element, InclusiveNamespaces
        prefixes), each element already carrying its id, so nothing is looked up in the document.
        The same signature as ``sign(root, key=key, reference_uri=[SignatureReference(URI="#" + id,
        c14n_method=c14n_algorithm, inclusive_ns_prefixes=prefixes)], key_info=key_info)``; it keeps
        no state of the message on the signer, so one signer can sign every message."""
        if not isinstance(key, rsa.RSAPrivateKey) or self.sign_alg.value not in _RSA_PKCS1:
            raise ValueError("sign_elements signs with RSA PKCS#1 v1.5 only")
        references = [SignatureReference(URI=f"#{part_id}", c14n_method=self.c14n_alg, inclusive_ns_prefixes=prefixes)
                      for part_id, _, prefixes in parts]
        return self._rsa_signature(references, [element for _, element, _ in parts], key=key, key_info=key_info)

    def _rsa_signature(self, references, c14n_inputs, *, key, key_info) -> etree._Element:
        """signxml 5.2's sign() for a detached RSA PKCS#1 v1.5 signature of resolved references with
        a given KeyInfo, step for step without the branches other arguments need (the equivalence
        is tested against XMLSigner.sign with the same references and KeyInfo): SignedInfo
        (_build_sig), KeyInfo (what its _add_key_info does with one given), the signature value
        over SignedInfo's c14n."""
        sig_root = etree.Element(f"{{{_DS}}}Signature", nsmap=self.namespaces)
        signed_info, signature_value = self._build_sig(sig_root, references, c14n_inputs, None)
        sig_root.append(key_info)
        signed_info_c14n = self._c14n(signed_info, algorithm=self.c14n_alg)
        value = key.sign(signed_info_c14n, _PKCS1V15, _RSA_PKCS1[self.sign_alg.value]())
        signature_value.text = b64encode(value).decode()
        return sig_root

    def _get_c14n_inputs_from_references(self, doc_root, references):
        # The elements themselves, not signxml's serialised copies: _build_sig only canonicalises them.
        c14n_inputs, new_references = [], []
        for reference in references:
            if not reference.URI.startswith("#"):
                reference = replace(reference, URI="#" + reference.URI)
            c14n_inputs.append(self._resolve_reference(doc_root, {"URI": reference.URI}))
            new_references.append(reference)
        return c14n_inputs, new_references

    def _build_sig(self, sig_root, references, c14n_inputs, inclusive_ns_prefixes,
                   exclude_c14n_transform_element=False):
        """signxml's SignedInfo for a detached signature, element for element: Clark tags instead
        of a QName per element, the reference's settings read instead of copied."""
        if exclude_c14n_transform_element or self.namespaces.get(None) == _DS:
            return super()._build_sig(sig_root, references, c14n_inputs, inclusive_ns_prefixes,
                                      exclude_c14n_transform_element)
        if not inclusive_ns_prefixes and not any(reference.inclusive_ns_prefixes for reference in references):
            return self._build_sig_from_shape(sig_root, references, c14n_inputs)
        signed_info = etree.SubElement(sig_root, f"{{{_DS}}}SignedInfo", nsmap=self.namespaces)
        c14n_method = etree.SubElement(signed_info, f"{{{_DS}}}CanonicalizationMethod", Algorithm=self.c14n_alg.value)
        if inclusive_ns_prefixes:
            etree.SubElement(c14n_method, ec_tag("InclusiveNamespaces"), PrefixList=" ".join(inclusive_ns_prefixes))
        etree.SubElement(signed_info, f"{{{_DS}}}SignatureMethod", Algorithm=self.sign_alg.value)
        for reference, c14n_input in zip(references, c14n_inputs):
            method = reference.c14n_method or self.c14n_alg
            prefixes = inclusive_ns_prefixes if reference.inclusive_ns_prefixes is None else reference.inclusive_ns_prefixes
            node = etree.SubElement(signed_info, f"{{{_DS}}}Reference", URI=reference.URI)
            transforms = etree.SubElement(node, f"{{{_DS}}}Transforms")
            transform = etree.SubElement(transforms, f"{{{_DS}}}Transform", Algorithm=method.value)
            if prefixes:
                etree.SubElement(transform, ec_tag("InclusiveNamespaces"), PrefixList=" ".join(prefixes))
            etree.SubElement(node, f"{{{_DS}}}DigestMethod", Algorithm=self.digest_alg.value)
            payload_c14n = self._c14n(c14n_input, algorithm=method, inclusive_ns_prefixes=prefixes)
            etree.SubElement(node, f"{{{_DS}}}DigestValue").text = b64encode(
                self._get_digest(payload_c14n, algorithm=self.digest_alg)).decode()
        return signed_info, etree.SubElement(sig_root, f"{{{_DS}}}SignatureValue")

    def _build_sig_from_shape(self, sig_root, references, c14n_inputs):
        """The same SignedInfo without InclusiveNamespaces, as a copy of one built element for element
        once per shape (algorithms, transform per reference, reference count), whose URIs and
        DigestValues are then filled in: one C-level copy instead of six elements per reference."""
        methods = tuple((reference.c14n_method or self.c14n_alg) for reference in references)
        shape = _signed_info_shape(tuple(self.namespaces.items()), self.c14n_alg.value, self.sign_alg.value,
                                   self.digest_alg.value, tuple(method.value for method in methods))
        signed_info = copy.deepcopy(shape)
        sig_root.append(signed_info)
        digest = self.digest_alg
        for node, reference, method, c14n_input in zip(signed_info[2:], references, methods, c14n_inputs):
            node.set("URI", reference.URI)
            payload_c14n = self._c14n(c14n_input, algorithm=method)
            node[2].text = b64encode(self._get_digest(payload_c14n, algorithm=digest)).decode()
        return signed_info, etree.SubElement(sig_root, f"{{{_DS}}}SignatureValue")


@lru_cache(maxsize=32)
def _signed_info_shape(namespaces: tuple, c14n: str, signature: str, digest: str,
                       transforms: tuple[str, ...]) -> etree._Element:
    # Built exactly as _build_sig builds it (under a Signature, so that its copy takes the
    # Signature's namespace declarations when appended); never handed out, only copied.
    signature_root = etree.Element(f"{{{_DS}}}Signature", nsmap=dict(namespaces))
    signed_info = etree.SubElement(signature_root, f"{{{_DS}}}SignedInfo", nsmap=dict(namespaces))
    etree.SubElement(signed_info, f"{{{_DS}}}CanonicalizationMethod", Algorithm=c14n)
    etree.SubElement(signed_info, f"{{{_DS}}}SignatureMethod", Algorithm=signature)
    for transform in transforms:
        node = etree.SubElement(signed_info, f"{{{_DS}}}Reference", URI="")
        etree.SubElement(etree.SubElement(node, f"{{{_DS}}}Transforms"), f"{{{_DS}}}Transform", Algorithm=transform)
        etree.SubElement(node, f"{{{_DS}}}DigestMethod", Algorithm=digest)
        etree.SubElement(node, f"{{{_DS}}}DigestValue")
    return signed_info


class WsuVerifier(_IndexedReferences, XMLVerifier):
    """XMLVerifier whose references are digested from the received tree itself, not from a copy
    of the whole document per reference. The tree is not changed.

    With a trusted certificate given (``x509_cert``, the one way the node verifies: the signer's
    certificate comes from the BinarySecurityToken and is chained by the TrustStore first) and
    without signxml's schema check, :meth:`verify` runs signxml 5.2's steps in signxml's order on
    the Signature where it stands instead of on a serialised copy of it; anything else is
    signxml's own ``verify``."""

    _pem: tuple[object, bytes] | None = None

    def __init__(self, index: IdIndex | None = None):
        """``index``: the received document's :class:`IdIndex` when the caller built one already."""
        self._given_index = index

    def verify(self, data, *, x509_cert=None, id_attribute=None, expect_config=None, validate_schema=True,
               **other):
        self._index = self._given_index
        if isinstance(x509_cert, x509.Certificate) and not validate_schema and not other:
            return self._verify_with_certificate(data, x509_cert, id_attribute,
                                                 expect_config or SignatureConfiguration())
        if expect_config is not None:
            other["expect_config"] = expect_config
        return super().verify(data, x509_cert=x509_cert, id_attribute=id_attribute, validate_schema=validate_schema,
                              **other)

    def _verify_with_certificate(self, data, certificate: x509.Certificate, id_attribute, expect_config):
        self.hmac_key = None
        self.config = _requiring_x509(expect_config)
        self._parser = None
        self.x509_cert = certificate
        if id_attribute is not None:
            self.id_attributes = (id_attribute,)
        root = self.get_root(data)
        # signxml verifies a serialised copy of the Signature; canonicalising SignedInfo where it
        # stands gives the same bytes (see the module text), and the tree is only read.
        signature = self._get_signature(root)
        signed_info, signature_value, key_info = _first_children(signature, SIGNED_INFO, SIGNATURE_VALUE, KEY_INFO)
        if signed_info is None:
            self._find(signature, "SignedInfo")  # signxml's InvalidInput
        c14n_method = signature_method = None
        references = []
        for child in signed_info:  # one pass: the two methods (the first of each) and every Reference
            tag = child.tag
            if tag == REFERENCE:
                references.append(child)
            elif tag == C14N_METHOD:
                c14n_method = child if c14n_method is None else c14n_method
            elif tag == SIGNATURE_METHOD:
                signature_method = child if signature_method is None else signature_method
        if c14n_method is None:
            self._find(signed_info, "CanonicalizationMethod")
        c14n_algorithm = CanonicalizationMethod(c14n_method.get("Algorithm"))
        inclusive_ns_prefixes = self._get_inclusive_ns_prefixes(c14n_method) if len(c14n_method) else None
        if signature_method is None:
            self._find(signed_info, "SignatureMethod")
        signature_alg = SignatureMethod(signature_method.get("Algorithm"))
        self.check_signature_alg_expected(signature_alg)
        if signature_value is None:
            self._find(signature, "SignatureValue")
        raw_signature = b64decode(signature_value.text)
        key_value, der_encoded_key_value = (
            _first_children(key_info, f"{{{_DS}}}KeyValue", f"{{{_DSIG11}}}DEREncodedKeyValue")
            if key_info is not None else (None, None))
        signed_info_c14n = self._c14n(signed_info, algorithm=c14n_algorithm,
                                      inclusive_ns_prefixes=inclusive_ns_prefixes)
        self._check_validity_period(certificate)
        key = _public_key(certificate)
        try:
            self._verify_signature_value(signed_info_c14n, raw_signature, certificate, key, signature_alg)
        except cryptography.exceptions.InvalidSignature as exc:
            raise InvalidSignature(f"Signature verification failed: {exc}") from None
        if key_value is not None or der_encoded_key_value is not None:
            self._match_key_values(key_value=key_value, der_encoded_key_value=der_encoded_key_value,
                                   signing_cert=certificate, signature_alg=signature_alg)
        # The references are read from the SignedInfo whose canonical form was computed from it in
        # this call and has just verified, instead of from a parse of those bytes: the same
        # elements, attributes and texts ("see what is signed"; comments, which c14n drops, are
        # skipped by tag either way), as xmlsec does it.
        algorithms: dict[str, DigestAlgorithm] = {}
        results = [self._check_reference(reference, index, root, None, c14n_algorithm, signature, key, algorithms)
                   for index, reference in enumerate(references)]
        expected = self.config.expect_references
        if type(expected) is int and len(results) != expected:
            raise InvalidSignature(f"Expected to find {expected} references, but found {len(results)}")
        return results[0] if type(expected) is int and expected == 1 else results

    def _verify_signature_value(self, signed_info_c14n: bytes, raw_signature: bytes, certificate, key,
                                signature_alg: SignatureMethod) -> None:
        """RSA PKCS#1 v1.5 with the certificate's key parsed once; any other method is signxml's."""
        digest = _RSA_PKCS1.get(signature_alg.value)
        if digest is None or not isinstance(key, rsa.RSAPublicKey):
            self._verify_signature_with_pubkey(signed_info_c14n=signed_info_c14n, raw_signature=raw_signature,
                                               signing_certificate=certificate, signature_alg=signature_alg)
            return
        key.verify(raw_signature, signed_info_c14n, _PKCS1V15, digest())

    def _check_validity_period(self, certificate: x509.Certificate) -> None:
        # signxml's check, whose message spells out the certificate's subject: only built when
        # the certificate is outside its validity period at the verification time.
        moment = self._get_cert_verification_time()
        if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
            self._check_cert_validity(certificate, "provided x509_cert")

    def _verify_reference(self, reference, index, root, uri_resolver, c14n_algorithm, signature,
                          signature_key_used):
        return self._check_reference(reference, index, root, uri_resolver, c14n_algorithm, signature,
                                     signature_key_used, {})

    def _check_reference(self, reference, index, root, uri_resolver, c14n_algorithm, signature, key,
                         algorithms: dict[str, DigestAlgorithm]) -> VerifyResult:
        """signxml's reference check on the tree itself. ``algorithms``: the DigestMethods this
        message has already resolved and checked against the configuration (they repeat)."""
        transforms, digest_method, digest_value = _first_children(reference, TRANSFORMS, DIGEST_METHOD, DIGEST_VALUE)
        steps = [step for step in transforms if step.tag == TRANSFORM] if transforms is not None else []
        if any(step.get("Algorithm") == _ENVELOPED for step in steps):
            # The transform cuts the Signature out of the tree: signxml's own path, on its own copy.
            return super()._verify_reference(reference, index, root, uri_resolver, c14n_algorithm, signature, key)
        if digest_method is None or digest_value is None:
            self._find(reference, "DigestMethod" if digest_method is None else "DigestValue")  # signxml's InvalidInput
        uri = digest_method.get("Algorithm")
        digest_alg = algorithms.get(uri)
        if digest_alg is None:
            digest_alg = DigestAlgorithm(uri)
        payload = self._resolve_reference(root, reference, uri_resolver=uri_resolver)
        payload_c14n = self._canonical(payload, transforms, steps, signature)
        if uri not in algorithms:
            self.check_digest_alg_expected(digest_alg)
            algorithms[uri] = digest_alg
        if b64decode(digest_value.text) != self._get_digest(payload_c14n, digest_alg):
            raise InvalidDigest(f"Digest mismatch for reference {index} ({reference.get('URI')})")
        # signed_xml stays None: the caller reads the tree it passed in, whose referenced elements
        # are the ones just digested (signxml re-parses every canonical form to offer it).
        return VerifyResult(payload_c14n, None, signature, signature_key=self._key_pem(key))

    def _key_pem(self, key) -> bytes:
        if isinstance(key, bytes):
            return key
        if self._pem is None or self._pem[0] is not key:
            self._pem = (key, key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
        return self._pem[1]

    def _canonical(self, payload: etree._Element, transforms, steps, signature) -> bytes:
        """The one c14n transform WS-Security uses, applied in place; anything else is signxml's."""
        if len(steps) == 1 and steps[0].get("Algorithm") in _C14N:
            # Only a Transform with children can hold InclusiveNamespaces.
            prefixes = self._get_inclusive_ns_prefixes(steps[0]) if len(steps[0]) else None
            return self._c14n(payload, algorithm=_C14N[steps[0].get("Algorithm")], inclusive_ns_prefixes=prefixes)
        return self._apply_transforms(payload, transforms_node=transforms, signature=signature)
