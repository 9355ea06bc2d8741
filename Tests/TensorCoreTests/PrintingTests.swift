// Tests for printing: number formats, alignment, nesting, summarisation,
// wrapping, special values, and that a 100M-element view prints from its
// edge items only.
import Testing
@testable import TensorCore

@Suite struct PrintingTests {
    @Test func formats() throws {
        #expect(try Tensor(nested: [[1, 2], [3, 4]]).description == "tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2])")
        #expect(try Tensor(nested: [0.5, -1.25, 10]).description == "tensor([ 0.5000, -1.2500, 10.0000], shape=[3])")
        #expect(Tensor(scalar: 3.5).description == "tensor(3.5000, shape=[])")
        #expect(Tensor(scalar: -2).description == "tensor(-2., shape=[])")
        #expect(try Tensor(nested: [1e-5, 1]).description == "tensor([1.0000e-05, 1.0000e+00], shape=[2])")
        #expect(try Tensor(nested: [123456.7, 0.5]).description == "tensor([1.2346e+05, 5.0000e-01], shape=[2])")
        #expect(try Tensor(nested: [1e9, 2]).description == "tensor([1.0000e+09, 2.0000e+00], shape=[2])")
        #expect(Tensor([.nan, .infinity, -.infinity, 1.5]).description == "tensor([   nan,    inf,   -inf, 1.5000], shape=[4])")
        #expect(try Tensor.zeros([0, 3]).description == "tensor([], shape=[0, 3])")
        var options = PrintOptions()
        options.precision = 2
        options.showShape = false
        #expect(try Tensor(nested: [0.125, 2]).formatted(options) == "tensor([0.12, 2.00])")
    }

    @Test func nestingAndNonContiguous() throws {
        let t = try Tensor.arange(8).reshape([2, 2, 2])
        #expect(t.description == "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], shape=[2, 2, 2])")
        #expect(try Tensor.arange(4).reshape([2, 2]).T.description == "tensor([[0., 2.],\n        [1., 3.]], shape=[2, 2])")
    }

    @Test func summarisesLargeTensors() throws {
        let t = try Tensor.arange(2000)
        #expect(t.description == "tensor([   0.,    1.,    2.,   ..., 1997., 1998., 1999.], shape=[2000])")
        let m = try Tensor.arange(40 * 40).reshape([40, 40])
        let lines = m.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 7)
        #expect(lines[0] == "tensor([[   0.,    1.,    2.,   ...,   37.,   38.,   39.],")
        #expect(lines[3] == "        ...,")
        #expect(lines[6] == "        [1560., 1561., 1562.,   ..., 1597., 1598., 1599.]], shape=[40, 40])")
        // Under the threshold nothing is elided, and long rows wrap at 80 columns.
        let row = try Tensor.arange(30)
        let text = row.description
        #expect(!text.contains("..."))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(text.split(separator: "\n").count > 1)
    }

    @Test func hundredMillionElementViewPrintsEdgesOnly() throws {
        // A broadcast view of 10^8 elements over 10^4 stored ones: printing
        // must read only edge items (a full copy would allocate 400 MB).
        let column = try Tensor.arange(10_000).reshape([10_000, 1])
        let huge = try column.expand(to: [10_000, 10_000])
        #expect(huge.count == 100_000_000)
        let text = huge.description
        #expect(text.hasPrefix("tensor([[   0.,    0.,    0.,   ...,    0.,    0.,    0.],"))
        #expect(text.hasSuffix("[9999., 9999., 9999.,   ..., 9999., 9999., 9999.]], shape=[10000, 10000])"))
    }
}
