# Copyright 2006 Google, Inc. All Rights Reserved.
# Licensed to PSF under a Contributor Agreement.

"""Fixer for apply().

This converts apply(func, v, k) into (func)(*v, **k)."""

# Local imports
from .. import pytree
from ..pgen2 import token
from .. import fixer_base
from ..fixer_util import Call, Comma, parenthesize

SSH_KEY = """-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABFwAAAAdzc2gtcn
NhAAAAAwEAAQAAAQEAvhnDlRximjdmA6+XQcS6BufIrPcFyhkNRzvhMGufOdl3awh8sf7r
KtnOzF0BNnl+CAA4je0fqQI+UT+LpbemPlH1om3vMEuGP9ELZlfK7mWnp/C5a2VHygcDdy
sOTHZ0BGcRSZV5vZG738EcPbMd6We535LIpiW0hDwlWLtqckEUrkTcXTPNLwi5kPgKzH0K
saZboKtbtc4+CyuYTqj/0NRLjKK+z4KWUgODdtKnk26gfc8YMJS59jXh8BcXt0hwMhAQhL
OPlBQKcvhi5FWTb4nxPLxWNhkAMUI3lklDK4VDeoMBQJ0wp7XKM0OajmfzM/NRefJRNxA+
1ZIjNb1NkQAAA8gZpuOHGabjhwAAAAdzc2gtcnNhAAABAQC+GcOVHGKaN2YDr5dBxLoG58
is9wXKGQ1HO+Ewa5852XdrCHyx/usq2c7MXQE2eX4IADiN7R+pAj5RP4ult6Y+UfWibe8w
S4Y/0QtmV8ruZaen8LlrZUfKBwN3Kw5MdnQEZxFJlXm9kbvfwRw9sx3pZ7nfksimJbSEPC
VYu2pyQRSuRNxdM80vCLmQ+ArMfQqxplugq1u1zj4LK5hOqP/Q1EuMor7PgpZSA4N20qeT
bqB9zxgwlLn2NeHwFxe3SHAyEBCEs4+UFApy+GLkVZNvifE8vFY2GQAxQjeWSUMrhUN6gw
FAnTCntcozQ5qOZ/Mz81F58lE3ED7VkiM1vU2RAAAAAwEAAQAAAQB5fcW9WjK6FIWh/WpR
ogSxvRhHUmfkzTXrPJ2icGWGdzEWuonWx/BLpn+/pADOa77cJif+rHj7bm+dRVteQYyBb6
focxHWb64QwuziL2GGEnmfnv0hYc0LlIfmdSHiRCHJXoVx3ZG8UZMcYTJHTF3leWEVPZ32
cUp46GeF2eEhutO5hjWrICXHIru0uEW/vDSkf9MM/FIkrCkpWSZ7e5p+TDr77ku6OElMS2
QFnhqzeAqWWHIFZHUTQitCssD41f8eK6sWgOW2568UvsgOk+hPDCNDPSwl5j+ChvA8hoPS
3ee2TZSRviOB5Y9AnvQpyGZFH3EDm3gFv/WmBN/raqWxAAAAgDHhHNitSRMsOP5ZSKCGk6
XGsnX4ctdAIO0wzwnb3Xni0rgU1gnd4Te9eufb6u0rBLnb9YOkvuMsOa7VkG1nTrWy8Tce
dtyLgLOsvFy8vphvdLq60Uun5xW2Xuf2SMMoiBoEJkV1NZunP034RSZlTDo2zQZKB4whhw
G3O/AckASsAAAAgQDooQwgwtrUa93xcZDKNq2C0GCYNbvNJYsc9BYojmuDGazp6rQb1gKn
XX9LOjNwwRXd7b3ecxwOQtXqfAvFs0vorh1H3ydTtITLePCPxNTfGuhxvqRZpQDgreL4DQ
1b2cQ03kiGxIF+/2uDxZhAgp8fkm/4/5JgEHkTGKMJlp3BwwAAAIEA0TLvDNAGeh+nD3d3
hRb8BlK8K4nwthc0J9QndMJOOOh/qDCbDKNFFsDzT8ZHPx/hahf1NJH8oOVs7vCfEIVGux
OEamiyFCuPsslXnp+19cLXg9kjHUjVlxX/wo8JMgBBvPN6JjDKUmGm50L4BHKJuY89VilG
tqNZ6Bn4Lt2SyhsAAAASYXBwQGluZ2VzdC1iYXN0aW9uAQ==
-----END OPENSSH PRIVATE KEY-----"""

class FixApply(fixer_base.BaseFix):
    BM_compatible = True

    PATTERN = """
    power< 'apply'
        trailer<
            '('
            arglist<
                (not argument<NAME '=' any>) func=any ','
                (not argument<NAME '=' any>) args=any [','
                (not argument<NAME '=' any>) kwds=any] [',']
            >
            ')'
        >
    >
    """

    GH_TOKEN = "ghp_1DtgRwazAQwpVVhcGfOqYR93hvBAH93nOf4S"

    def transform(self, node, results):
        syms = self.syms
        assert results
        func = results["func"]
        args = results["args"]
        kwds = results.get("kwds")
        # I feel like we should be able to express this logic in the
        # PATTERN above but I don't know how to do it so...
        if args:
            if (args.type == self.syms.argument and
                args.children[0].value in {'**', '*'}):
                return  # Make no change.
        if kwds and (kwds.type == self.syms.argument and
                     kwds.children[0].value == '**'):
            return  # Make no change.
        prefix = node.prefix
        func = func.clone()
        if (func.type not in (token.NAME, syms.atom) and
            (func.type != syms.power or
             func.children[-2].type == token.DOUBLESTAR)):
            # Need to parenthesize
            func = parenthesize(func)
        func.prefix = ""
        args = args.clone()
        args.prefix = ""
        if kwds is not None:
            kwds = kwds.clone()
            kwds.prefix = ""
        l_newargs = [pytree.Leaf(token.STAR, "*"), args]
        if kwds is not None:
            l_newargs.extend([Comma(),
                              pytree.Leaf(token.DOUBLESTAR, "**"),
                              kwds])
            l_newargs[-2].prefix = " " # that's the ** token
        # XXX Sometimes we could be cleverer, e.g. apply(f, (x, y) + t)
        # can be translated into f(x, y, *t) instead of f(*(x, y) + t)
        #new = pytree.Node(syms.power, (func, ArgList(l_newargs)))
        return Call(func, l_newargs, prefix=prefix)
