//! The RSA key inside a PEM `PUBLIC KEY` (SubjectPublicKeyInfo, what `openssl pkey -pubout` and
//! identity providers' key exports write): ring verifies against the bare PKCS#1 `RSAPublicKey`,
//! so this walks the few DER headers around it. Pure; refuses anything that is not RSA.

/// `rsaEncryption`, 1.2.840.113549.1.1.1, as DER content octets.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// One DER element: its tag, its content, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: 1 to 4 length octets are plenty for a key.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let length = rest[..count].iter().fold(0usize, |length, byte| (length << 8) | usize::from(*byte));
        (length, &rest[count..])
    };
    if rest.len() < length {
        return None;
    }
    Some((tag, &rest[..length], &rest[length..]))
}

/// SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { 0 unused bits, RSAPublicKey } }
/// → the RSAPublicKey DER; `None` when the key is not RSA or the DER is malformed.
pub fn rsa_public_key(spki: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    const OID: u8 = 0x06;
    const BIT_STRING: u8 = 0x03;
    let (SEQUENCE, body, []) = element(spki)? else { return None };
    let (SEQUENCE, algorithm, rest) = element(body)? else { return None };
    let (OID, oid, _parameters) = element(algorithm)? else { return None };
    if oid != RSA_ENCRYPTION {
        return None;
    }
    let (BIT_STRING, bits, []) = element(rest)? else { return None };
    let (0, key) = bits.split_first()? else { return None };
    Some(key)
}

/// The modulus size in bits of an `RSAPublicKey` (SEQUENCE { INTEGER n, INTEGER e }).
pub fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Option<usize> {
    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    let (SEQUENCE, body, []) = element(rsa_public_key)? else { return None };
    let (INTEGER, modulus, rest) = element(body)? else { return None };
    let (INTEGER, _exponent, []) = element(rest)? else { return None };
    // A positive INTEGER may carry a leading zero octet.
    let modulus = match modulus.split_first() {
        Some((0, rest)) => rest,
        _ => modulus,
    };
    let (&top, _) = modulus.split_first()?;
    Some(modulus.len() * 8 - top.leading_zeros() as usize)
}
