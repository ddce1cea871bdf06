"""Prints the addresses of accounts 0..COUNT-1 of a BIP-39 mnemonic, one a line, as Cosmos
wallets derive them (BIP-32 path m/44'/118'/0'/0/i, secp256k1, bech32 of
ripemd160(sha256(compressed key))), written from the standards with the Python library only,
to check the keys another tool made.

Usage: python3 hd_address.py PREFIX COUNT "MNEMONIC"
"""
import hashlib
import hmac
import sys

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        slope = 3 * a[0] * a[0] * pow(2 * a[1], -1, P)
    else:
        slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, P)
    x = (slope * slope - a[0] - b[0]) % P
    return x, (slope * (a[0] - x) - a[1]) % P


def public_key(secret):
    result, addend = None, G
    while secret:
        if secret & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        secret >>= 1
    return bytes([2 + (result[1] & 1)]) + result[0].to_bytes(32, "big")


def derive(seed, path):
    digest = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    key, chain = int.from_bytes(digest[:32], "big"), digest[32:]
    for index in path:
        if index >= 2**31:
            data = b"\0" + key.to_bytes(32, "big")
        else:
            data = public_key(key)
        digest = hmac.new(chain, data + index.to_bytes(4, "big"), hashlib.sha512).digest()
        key, chain = (int.from_bytes(digest[:32], "big") + key) % N, digest[32:]
    return key


def bech32(prefix, data):
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    words, acc, bits = [], 0, 0
    for byte in data:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            words.append((acc >> bits) & 31)
    if bits:
        words.append((acc << (5 - bits)) & 31)
    values = [ord(c) >> 5 for c in prefix] + [0] + [ord(c) & 31 for c in prefix] + words
    checksum = 1
    for value in values + [0] * 6:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate([0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]):
            if (top >> i) & 1:
                checksum ^= generator
    checksum ^= 1
    return prefix + "1" + "".join(charset[w] for w in words + [(checksum >> 5 * (5 - i)) & 31 for i in range(6)])


def main():
    prefix, count, mnemonic = sys.argv[1], int(sys.argv[2]), " ".join(sys.argv[3].split())
    seed = hashlib.pbkdf2_hmac("sha512", mnemonic.encode(), b"mnemonic", 2048)
    hardened = 2**31
    for index in range(count):
        key = derive(seed, [44 + hardened, 118 + hardened, hardened, 0, index])
        sha = hashlib.sha256(public_key(key)).digest()
        print(bech32(prefix, hashlib.new("ripemd160", sha).digest()))


if __name__ == "__main__":
    main()
