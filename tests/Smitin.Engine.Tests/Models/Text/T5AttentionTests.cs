using Smitin.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Text;

public class T5AttentionTests
{
    [Fact]
    public void BidirectionalBucketsFollowTheT5Formula()
    {
        // 32 buckets, max distance 128: 16 per direction (keys after the query get +16), exact below 8, then
        // 8 + floor(log(d / 8) / log(128 / 8) * 8), clamped to 15.
        long[] relative = [0, -1, -7, 3, -8, -12, -127, -200, 200, 12];
        long[] expected = [0, 1, 7, 19, 8, 9, 15, 15, 31, 25];
        using var buckets = T5Attention.RelativePositionBucket(torch.tensor(relative), bidirectional: true, numBuckets: 32, maxDistance: 128);
        Assert.Equal(expected, buckets.data<long>().ToArray());
    }

    [Fact]
    public void CausalBucketsIgnoreFutureKeys()
    {
        long[] relative = [0, -1, 5, -20];
        // unidirectional: 32 buckets for the past, exact below 16; the future maps to 0; -20 -> 16 + floor(log(20/16)/log(8)*16) = 17
        using var buckets = T5Attention.RelativePositionBucket(torch.tensor(relative), bidirectional: false, numBuckets: 32, maxDistance: 128);
        Assert.Equal(new long[] { 0, 1, 0, 17 }, buckets.data<long>().ToArray());
    }
}
