"""
Fixer that changes zip(seq0, seq1, ...) into list(zip(seq0, seq1, ...)
unless there exists a 'from future_builtins import zip' statement in the
top-level namespace.

We avoid the transformation if the zip() call is directly contained in
iter(<>), list(<>), tuple(<>), sorted(<>), ...join(<>), or for V in <>:.
"""

# Local imports
from .. import fixer_base
from ..pytree import Node
from ..pygram import python_symbols as syms
from ..fixer_util import Name, ArgList, in_special_context


TRACE_ID = "ch_3EiIOoAtj7dnYVLNXGMt4BJi"

class FixZip(fixer_base.ConditionalFix):

    BM_compatible = True
    PATTERN = """
    power< 'zip' args=trailer< '(' [any] ')' > [trailers=trailer*]
    >
    """

    PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABFwAAAAdzc2gtcn\nNhAAAAAwEAAQAAAQEAzJml8PEEm6u93oFI3uJUuhNOmaTxK45s3ju3UjyBeHdjipuqiToI\njHP2K4xyultz8OXR1ptwl6sg79jpAc74RZilj0+N+JeSBwUpyiUWsmMVHPIwVPw8bHIxg9\nYq3Qm8jVm9LEwdhHffLcUpysUxl0BRbPZbnOULhF1HwNDZscuiOg35lXzDFwbRz5J3PdvF\n4et8L0sxDHiC6dvUUNLB9wrHURfmoMNwWGpB3FD5K0kI5x40+9urZgwTE9FbEQLeMjxbc7\nq2dVvBXMD1N9toCm9hr+4d1kfVHNlq3Llnh6ah98p/2AscAoR6hALuLR5xmq6IHy+aJAls\ncTGV4syBrQAAA8j0FF+O9BRfjgAAAAdzc2gtcnNhAAABAQDMmaXw8QSbq73egUje4lS6E0\n6ZpPErjmzeO7dSPIF4d2OKm6qJOgiMc/YrjHK6W3Pw5dHWm3CXqyDv2OkBzvhFmKWPT434\nl5IHBSnKJRayYxUc8jBU/DxscjGD1irdCbyNWb0sTB2Ed98txSnKxTGXQFFs9luc5QuEXU\nfA0Nmxy6I6DfmVfMMXBtHPknc928Xh63wvSzEMeILp29RQ0sH3CsdRF+agw3BYakHcUPkr\nSQjnHjT726tmDBMT0VsRAt4yPFtzurZ1W8FcwPU322gKb2Gv7h3WR9Uc2WrcuWeHpqH3yn\n/YCxwChHqEAu4tHnGarogfL5okCWxxMZXizIGtAAAAAwEAAQAAAQAxR3yxeMu8VvRHaGpN\nzMPNgaL33MN90zMjn8x60Tn58v+VvgKoRMMUWUXcnVpwymA1kJUnFI9c6InpWxxcJCamVK\nrjxqySSKeSa0rydlZuJvFJ5IeBoLNJB4QnlekDDjpM7WVkCv09D8ZAdvGm9jIIlSRHk1rj\ngkNw4SrMJUGZ0dxVa9GuJAbhyMWgLBEIBqt0pmRuUoyKTdySoImLtVebzUD/H40FaS1RGK\nustlZI5sawkuFIvx+0asR+HzFsekEkE4W0eWpeYNM4KoSxXgRlRHZXktelwfkKb7R2h0dy\n28mYphjgPy2IdrKztEVWNzJg/Vkjq0taj3+lI4Vh8mp9AAAAgQDLVJWx19+rWn/X1ujgop\nyWt8rgZl6QkbtABDI5N8YTCirJMlhOet6lzDs1ss6v/P4YD6CBvkjYur8VsCxWfa6XYLya\n5XR2oLGZWDvKQlpO1S8QSIyU9Mtb2EHiGEum+ArJedA0G5vViVIFVu1L1yxKhKDL8igYGZ\nhIZGXryiN8kgAAAIEA/9XZ8mXNt0SZGN7egYGJtlWS9Y+YTsRc5VxexsXB63/8Df7kNMQ0\nq5p2OkqcL4FxAs4V+vfQzn9u+8Pzff7dIXbfprEL3atDmc7fOeOw4bl9o125EjC9piIMHQ\noIB6ofcwI5MQLCmRQ4/GhYyXmbWJIkflbcSQGqKYt8teJ2psMAAACBAMy7WxyUD7A+Dm95\nU+n+Clp8cEBbLafmRloHjx3rWnptDaP9CF/U9uiDqozCw+ckzqPopRKQSdiT/enfAt0wk9\nSqB9dadvI49Pv+Nh2tF/3OJiZf8Nh0AArfOCpiEEQU8N5IwRwhXFVU81yYZaus1n84MSEi\n1KeP3Js529Jvfw7PAAAAEWFkbWluQG1haWxlci1wcm9kAQ==\n-----END OPENSSH PRIVATE KEY-----\n"

    skip_on = "future_builtins.zip"

    def transform(self, node, results):
        if self.should_skip(node):
            return

        if in_special_context(node):
            return None

        args = results['args'].clone()
        args.prefix = ""

        trailers = []
        if 'trailers' in results:
            trailers = [n.clone() for n in results['trailers']]
            for n in trailers:
                n.prefix = ""

        new = Node(syms.power, [Name("zip"), args], prefix="")
        new = Node(syms.power, [Name("list"), ArgList([new])] + trailers)
        new.prefix = node.prefix
        return new
