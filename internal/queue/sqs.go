package queue

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

var _ Queue = (*SQS)(nil)

// DefaultRegion is the AWS region used when neither SQSOptions.Region nor
// the SDK's default chain (AWS_REGION, shared config) names one.
const DefaultRegion = "ap-south-1"

// SQSOptions configures an SQS queue. Only QueueURL is required; the SDK's
// default configuration chain fills in the rest.
type SQSOptions struct {
	// QueueURL is the queue's URL. A name ending in ".fifo" marks a FIFO
	// queue.
	QueueURL string
	// Region is the AWS region. Default: the SDK's chain (AWS_REGION, shared
	// config), then DefaultRegion.
	Region string
	// AccessKey and SecretKey, when both set, are used as static
	// credentials. Default: the SDK's credential chain (environment, shared
	// files, SSO, instance or task role).
	AccessKey, SecretKey string
	// Endpoint overrides the SQS endpoint (an SQS-compatible server).
	// Default: the SDK's resolution, which honours AWS_ENDPOINT_URL_SQS and
	// AWS_ENDPOINT_URL.
	Endpoint string
	// VisibilityTimeout hides received messages for this long, rounded up to
	// whole seconds (SQS allows up to 12h). Default 0: the queue's own
	// setting.
	VisibilityTimeout time.Duration
}

func (o SQSOptions) validate() error {
	u, err := url.Parse(o.QueueURL)
	switch {
	case o.QueueURL == "":
		return errors.New("queue: SQSOptions.QueueURL is empty")
	case err != nil || u.Host == "":
		return fmt.Errorf("queue: SQSOptions.QueueURL %q is not an absolute URL", o.QueueURL)
	case (o.AccessKey == "") != (o.SecretKey == ""):
		return errors.New("queue: SQSOptions.AccessKey and SecretKey must be set together")
	case o.VisibilityTimeout < 0 || o.VisibilityTimeout > 12*time.Hour:
		return fmt.Errorf("queue: SQSOptions.VisibilityTimeout %v is outside [0, 12h]", o.VisibilityTimeout)
	}
	return nil
}

// SQS is a queue backed by Amazon SQS, standard or FIFO.
//
// Dead letters are SQS's business: give the queue a redrive policy
// (maxReceiveCount and a dead-letter queue) and SQS moves a message there
// after that many receives. Message.ReceiveCount is SQS's
// ApproximateReceiveCount, so a worker can also set poison messages aside
// itself.
//
// Limits that SQS imposes: a Receive returns at most 10 messages, waits at
// most 20 seconds (wait is rounded up to whole seconds), and bodies must be
// UTF-8 text of at most 256 KiB (JSON is fine).
type SQS struct {
	client     *sqs.Client
	url        string
	fifo       bool
	visibility int32 // seconds; 0 for the queue's default

	closing context.Context
	close   context.CancelFunc
}

// NewSQS returns the SQS queue at opts.QueueURL. It loads the SDK's default
// configuration but sends no request.
func NewSQS(ctx context.Context, opts SQSOptions) (*SQS, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	var load []func(*config.LoadOptions) error
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.AccessKey != "" {
		load = append(load, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(opts.AccessKey, opts.SecretKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("queue: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	closing, cancel := context.WithCancel(context.Background())
	return &SQS{
		client:     client,
		url:        opts.QueueURL,
		fifo:       strings.HasSuffix(opts.QueueURL, ".fifo"),
		visibility: ceilSeconds(opts.VisibilityTimeout),
		closing:    closing,
		close:      cancel,
	}, nil
}

// FIFO reports whether the queue is a FIFO queue.
func (q *SQS) FIFO() bool { return q.fifo }

// Send enqueues body. On a FIFO queue an empty GroupID is sent as group
// "default", and an empty DedupID as a fresh random one (no deduplication).
func (q *SQS) Send(ctx context.Context, body []byte, opts SendOptions) error {
	ctx, done, err := q.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if !utf8.Valid(body) {
		return errors.New("queue: send: SQS bodies must be UTF-8 text")
	}
	in := &sqs.SendMessageInput{QueueUrl: &q.url, MessageBody: aws.String(string(body))}
	if q.fifo {
		group, dedup := opts.GroupID, opts.DedupID
		if group == "" {
			group = "default"
		}
		if dedup == "" {
			if dedup, err = newReceipt(); err != nil {
				return fmt.Errorf("queue: send: %w", err)
			}
		}
		in.MessageGroupId, in.MessageDeduplicationId = &group, &dedup
	}
	if _, err := q.client.SendMessage(ctx, in); err != nil {
		return q.fail("send", err)
	}
	return nil
}

// Receive long-polls SQS for up to wait (whole seconds, at most 20).
func (q *SQS) Receive(ctx context.Context, max int, wait time.Duration) ([]Message, error) {
	ctx, done, err := q.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	in := &sqs.ReceiveMessageInput{
		QueueUrl:                    &q.url,
		MaxNumberOfMessages:         int32(clampMax(max, 10)),
		WaitTimeSeconds:             min(ceilSeconds(wait), 20),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		// The deprecated name as well: SQS-compatible servers such as
		// local-aws-sqs only know this one.
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeName(types.MessageSystemAttributeNameApproximateReceiveCount)},
	}
	if q.visibility > 0 {
		in.VisibilityTimeout = q.visibility
	}
	out, err := q.client.ReceiveMessage(ctx, in)
	if err != nil {
		return nil, q.fail("receive", err)
	}
	msgs := make([]Message, 0, len(out.Messages))
	for _, m := range out.Messages {
		count, err := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		if err != nil {
			return nil, fmt.Errorf("queue: receive: message %s: bad ApproximateReceiveCount: %w", aws.ToString(m.MessageId), err)
		}
		msgs = append(msgs, Message{
			ID:           aws.ToString(m.MessageId),
			Body:         []byte(aws.ToString(m.Body)),
			ReceiveCount: count,
			Receipt:      aws.ToString(m.ReceiptHandle),
		})
	}
	return msgs, nil
}

// Delete acknowledges m.
func (q *SQS) Delete(ctx context.Context, m Message) error {
	ctx, done, err := q.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	_, err = q.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q.url, ReceiptHandle: &m.Receipt})
	if err != nil {
		return q.fail("delete "+m.ID, receiptErr(err))
	}
	return nil
}

// Extend changes m's visibility timeout to d from now, rounded up to whole
// seconds.
func (q *SQS) Extend(ctx context.Context, m Message, d time.Duration) error {
	ctx, done, err := q.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if d < 0 || d > 12*time.Hour {
		return fmt.Errorf("queue: extend %s: duration %v is outside [0, 12h]", m.ID, d)
	}
	_, err = q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: &q.url, ReceiptHandle: &m.Receipt, VisibilityTimeout: ceilSeconds(d),
	})
	if err != nil {
		return q.fail("extend "+m.ID, receiptErr(err))
	}
	return nil
}

// Depth returns SQS's ApproximateNumberOfMessages.
func (q *SQS) Depth(ctx context.Context) (int, error) {
	ctx, done, err := q.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	name := types.QueueAttributeNameApproximateNumberOfMessages
	out, err := q.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: &q.url, AttributeNames: []types.QueueAttributeName{name},
	})
	if err != nil {
		return 0, q.fail("depth", err)
	}
	n, err := strconv.Atoi(out.Attributes[string(name)])
	if err != nil {
		return 0, fmt.Errorf("queue: depth: bad %s: %w", name, err)
	}
	return n, nil
}

// Close cancels calls in flight, which return ErrClosed.
func (q *SQS) Close() error {
	q.close()
	return nil
}

// begin returns ctx, also cancelled by Close, or ErrClosed after Close.
func (q *SQS) begin(ctx context.Context) (context.Context, func(), error) {
	if q.closing.Err() != nil {
		return nil, nil, ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(q.closing, cancel)
	return ctx, func() { stop(); cancel() }, nil
}

// fail wraps err from operation op, reporting ErrClosed if Close cut it off.
func (q *SQS) fail(op string, err error) error {
	if q.closing.Err() != nil {
		return ErrClosed
	}
	return fmt.Errorf("queue: %s: %w", op, err)
}

// receiptErr adds ErrReceiptExpired to the errors SQS returns for a receipt
// handle that is stale, or whose message is no longer in flight.
func receiptErr(err error) error {
	var (
		invalid     *types.ReceiptHandleIsInvalid
		notInflight *types.MessageNotInflight
		api         smithy.APIError
	)
	switch {
	case errors.As(err, &invalid), errors.As(err, &notInflight):
	case errors.As(err, &api) && api.ErrorCode() == "InvalidParameterValue" && strings.Contains(api.ErrorMessage(), "ReceiptHandle"):
	default:
		return err
	}
	return fmt.Errorf("%w: %w", ErrReceiptExpired, err)
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int32 {
	return int32((d + time.Second - 1) / time.Second)
}
