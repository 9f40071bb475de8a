"""The portal's reference client for sealed bids: what a bidder's browser does, in Python.

Standard library and PyNaCl only (no Django), so suppliers' systems can copy this folder:

- `sealclient.sealing`: seal a bid, custodian keys, the tender-key ceremony, reserve prices;
- `sealclient.shamir`: k-of-n shares byte-compatible with npm `shamir-secret-sharing`;
- `sealclient.reserve` and `sealclient.rules`: the opening arithmetic the portal itself runs;
- `sealclient.verify`: re-run a published opening from its public bundle;
- `python -m sealclient --help`: the command line.

docs/sealing.md describes the formats.
"""
