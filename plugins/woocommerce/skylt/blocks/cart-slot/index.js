/* Editor side of skylt/cart-slot: plain ES5 on wp.* globals, no build step. Its `parent` list (block.json) is what
   lets the Cart and Checkout blocks offer it inside their areas; the front end is rendered by PHP (Skylt_Blocks). */
(function (wp) {
	'use strict';
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	wp.blocks.registerBlockType('skylt/cart-slot', {
		edit: function () {
			return el('div', wp.blockEditor.useBlockProps(),
				el(wp.components.Placeholder, { icon: 'products', label: __('Skylt recommendations', 'skylt'),
					instructions: __('The cart or checkout slot from the Skylt settings shows here.', 'skylt') }));
		},
		save: function () { return null; }
	});
}(window.wp));
