#!/usr/bin/python3
"""Builds test/fixtures/onnx-tiny: a few-KB token-classification model in the layout of a
Hugging Face export (model.onnx, tokenizer.json, tokenizer_config.json, config.json).

The graph is input_ids -> one-hot embedding -> MatMul -> Add -> logits [batch, seq, labels],
with a zero token-type embedding and the attention mask applied, so it takes the same inputs
as a BERT export. Its logits are chosen by hand, so each vocabulary piece gets a known label
with a known score: the tests then check tokenisation, offsets and label mapping, not quality.

Run with Debian's python (it has onnx and numpy; nothing else is needed):
    /usr/bin/python3 scripts/build-onnx-fixture.py
The output is deterministic; the files are committed, so the tests need no python.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx-tiny')

LABELS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG']
SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']

# piece -> (label, logit margin over every other label). With 7 labels a margin of 4 gives the
# label a softmax probability of about 0.90, a margin of 1 about 0.31 (still the argmax).
STRONG = 4.0
PIECES = {
    'ali': ('B-PER', STRONG),
    '##ce': ('I-PER', STRONG),
    'smith': ('I-PER', STRONG),
    'bob': ('B-PER', STRONG),
    'paris': ('B-LOC', STRONG),
    'zur': ('B-LOC', STRONG),
    '##ich': ('I-LOC', STRONG),
    'new': ('B-LOC', STRONG),
    'york': ('I-LOC', STRONG),
    'acme': ('B-ORG', STRONG),
    'corp': ('I-ORG', STRONG),
    # Weakly a person: the tests use it for per-type minimum scores.
    'jordan': ('B-PER', 1.0),
    'went': ('O', STRONG),
    'to': ('O', STRONG),
    'and': ('O', STRONG),
    'met': ('O', STRONG),
    'in': ('O', STRONG),
    'at': ('O', STRONG),
    'works': ('O', STRONG),
    'the': ('O', STRONG),
    'lives': ('O', STRONG),
    's': ('O', STRONG),
    ',': ('O', STRONG),
    '.': ('O', STRONG),
    "'": ('O', STRONG),
    '!': ('O', STRONG),
    '##s': ('O', STRONG),
}


def vocabulary():
    return SPECIALS + list(PIECES)


def logit_table(vocab):
    """[vocab, labels]: each known piece favours its label by its margin; specials favour O."""
    table = np.zeros((len(vocab), len(LABELS)), dtype=np.float32)
    for index, piece in enumerate(vocab):
        label, margin = PIECES.get(piece, ('O', STRONG))
        table[index, LABELS.index(label)] = margin
    return table


def build_model(vocab):
    size = len(vocab)
    embedding = np.eye(size, dtype=np.float32)
    token_types = np.zeros((2, size), dtype=np.float32)
    weights = logit_table(vocab)
    # Padding positions (mask 0) get a zero vector, so the bias alone speaks: O.
    bias = np.zeros(len(LABELS), dtype=np.float32)
    bias[0] = 0.5
    nodes = [
        helper.make_node('Gather', ['embedding', 'input_ids'], ['token_vectors']),
        helper.make_node('Gather', ['token_type_embedding', 'token_type_ids'], ['type_vectors']),
        helper.make_node('Add', ['token_vectors', 'type_vectors'], ['summed']),
        helper.make_node('Cast', ['attention_mask'], ['mask_float'], to=TensorProto.FLOAT),
        helper.make_node('Unsqueeze', ['mask_float', 'last_axis'], ['mask_column']),
        helper.make_node('Mul', ['summed', 'mask_column'], ['masked']),
        helper.make_node('MatMul', ['masked', 'classifier_weight'], ['projected']),
        helper.make_node('Add', ['projected', 'classifier_bias'], ['logits']),
    ]
    dims = ['batch', 'sequence']
    graph = helper.make_graph(
        nodes,
        'veil-onnx-tiny',
        [
            helper.make_tensor_value_info('input_ids', TensorProto.INT64, dims),
            helper.make_tensor_value_info('attention_mask', TensorProto.INT64, dims),
            helper.make_tensor_value_info('token_type_ids', TensorProto.INT64, dims),
        ],
        [helper.make_tensor_value_info('logits', TensorProto.FLOAT, dims + [len(LABELS)])],
        [
            numpy_helper.from_array(embedding, 'embedding'),
            numpy_helper.from_array(token_types, 'token_type_embedding'),
            numpy_helper.from_array(weights, 'classifier_weight'),
            numpy_helper.from_array(bias, 'classifier_bias'),
            numpy_helper.from_array(np.array([-1], dtype=np.int64), 'last_axis'),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='veil-build-onnx-fixture')
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def tokenizer_json(vocab):
    def special(name):
        return {'id': vocab.index(name), 'content': name, 'single_word': False, 'lstrip': False,
                'rstrip': False, 'normalized': False, 'special': True}

    cls_id, sep_id = vocab.index('[CLS]'), vocab.index('[SEP]')
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [special(name) for name in SPECIALS],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True,
                       'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                       {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 1}},
                     {'SpecialToken': {'id': '[SEP]', 'type_id': 1}}],
            'special_tokens': {
                '[CLS]': {'id': '[CLS]', 'ids': [cls_id], 'tokens': ['[CLS]']},
                '[SEP]': {'id': '[SEP]', 'ids': [sep_id], 'tokens': ['[SEP]']},
            },
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': {piece: index for index, piece in enumerate(vocab)}},
    }


def write_json(name, value):
    with open(os.path.join(OUT, name), 'w', encoding='utf-8') as handle:
        json.dump(value, handle, indent=1, ensure_ascii=False)
        handle.write('\n')


def main():
    os.makedirs(OUT, exist_ok=True)
    vocab = vocabulary()
    onnx.save(build_model(vocab), os.path.join(OUT, 'model.onnx'))
    write_json('tokenizer.json', tokenizer_json(vocab))
    write_json('tokenizer_config.json', {
        'tokenizer_class': 'BertTokenizer', 'do_lower_case': True, 'model_max_length': 512,
        'cls_token': '[CLS]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'unk_token': '[UNK]', 'mask_token': '[MASK]',
    })
    write_json('config.json', {
        'architectures': ['BertForTokenClassification'],
        'model_type': 'bert',
        'max_position_embeddings': 64,
        'id2label': {str(index): label for index, label in enumerate(LABELS)},
        'label2id': {label: index for index, label in enumerate(LABELS)},
        '_comment': 'Test fixture built by scripts/build-onnx-fixture.py; hand-set weights, not a trained model.',
    })


if __name__ == '__main__':
    main()
